package org.gcs.daemon.friends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.gcs.api.UserId;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the friends file parser through its public entry point {@link FriendsList#parse(String)}, with the input
 * bytes read as UTF-8 as {@link FriendsList#read} reads a file. Properties: it returns a list, or fails with an
 * {@link IllegalArgumentException} or an exception its signature declares (the parser's own way of rejecting a
 * file), never anything else; the list is consistent ({@code size}, {@code entries}, {@code ids}, {@code contains}
 * agree, at most one problem per line); and writing its entries back in the documented line format
 * {@code <user-id> [+auth] <petname>} and parsing that gives an equal list with no problems. Hangs are caught by the
 * per-input {@link Timeout}. Seeds: {@code src/test/resources/org/gcs/daemon/friends/FriendsListFuzzTestInputs/parse/}.
 */
@Timeout(10)
class FriendsListFuzzTest {
    @FuzzTest
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        FriendsList list;
        try {
            list = FriendsList.parse(text);
        } catch (RuntimeException e) {
            if (isDocumentedRejection(e)) {
                return;
            }
            throw e;
        }
        assertEquals(list.size(), list.entries().size());
        assertEquals(list.size(), list.ids().size());
        for (String id : list.ids()) {
            assertTrue(list.contains(UserId.parse(id)), id);
        }
        long lines = text.split("\r?\n|\r", -1).length;
        assertTrue(list.problems().size() <= lines, () -> list.problems().size() + " problems in " + lines + " lines");

        FriendsList again = FriendsList.parse(written(list));
        assertEquals(list.entries(), again.entries(), "entries read back from their own lines");
        assertEquals(list, again, "+auth options read back from their own lines");
        assertEquals(0, again.problems().size(), () -> "problems in its own lines: " + again.problems());
    }

    /** The list in the documented file format, one friend a line. */
    private static String written(FriendsList list) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<UserId, String> entry : list.entries().entrySet()) {
            out.append(entry.getKey());
            if (list.requiresAuth(entry.getKey())) {
                out.append(' ').append(FriendsList.AUTH_OPTION);
            }
            if (!entry.getValue().isEmpty()) {
                out.append(' ').append(entry.getValue());
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static boolean isDocumentedRejection(RuntimeException e) {
        if (e instanceof IllegalArgumentException) {
            return true;
        }
        try {
            Class<?>[] declared = FriendsList.class.getMethod("parse", String.class).getExceptionTypes();
            return Arrays.stream(declared).anyMatch(type -> type.isInstance(e));
        } catch (NoSuchMethodException missing) {
            throw new AssertionError("FriendsList.parse(String) is gone; point this fuzz test at its successor", missing);
        }
    }
}
