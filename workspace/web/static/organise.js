// Conversation organisation: rename, delete, share, projects.
"use strict";
