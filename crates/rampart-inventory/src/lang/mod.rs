//! Language lockfiles, installed-package metadata and binaries.
