//! Integration tests of the bundled plugin (clack-host, Ardour) live in `tests/tests/`.
