"""Files and images attached to messages: stored in PostgreSQL, typed from their bytes.

An upload is checked and stored once (:mod:`.service`): its kind is decided from the bytes
(:mod:`.sniffing`), a PDF's or text file's text extracted (:mod:`.extraction`) and its name made
harmless (:mod:`.names`). Sending a message then claims the caller's unsent uploads and turns
them into canonical parts (:mod:`.parts`); the chat package serves them back under the
conversation's access.
"""
