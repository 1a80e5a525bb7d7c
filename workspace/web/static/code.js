// Code blocks in rendered answers (copy buttons).
"use strict";
