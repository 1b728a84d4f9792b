package org.gcs.api;

import java.util.regex.Pattern;

/** Validation shared by the identity value types. */
final class Ids {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Ids() {
    }

    static String requireName(String kind, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(kind + " must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit: " + value);
        }
        return value;
    }
}
