//! Operating-system package databases (dpkg, apk, rpm) and OS detection.
