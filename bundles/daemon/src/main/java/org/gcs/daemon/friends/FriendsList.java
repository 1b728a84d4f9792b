package org.gcs.daemon.friends;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.gcs.api.UserId;

/**
 * An immutable friends list read from a text file of lines {@code <user-id> [+auth] <petname...>}: the user id is the
 * first whitespace-separated word; then come options, words starting with {@code +}; the petname is the rest of the
 * line (spaces kept, may be empty, cannot start with {@code +}). The only option, {@code +auth}, requires end-to-end
 * mutual authentication of every channel with that friend, in any privacy mode. Lines starting with {@code #} and
 * blank lines are skipped; a byte order mark before the first line is ignored.
 *
 * <p>A line that does not parse (a user id that is not one, an unknown option such as a mistyped {@code +auth}) is
 * skipped and reported in {@link #problems()} with its line number, never read as something else: its user is not a
 * friend, every other line still counts. Skipping fails closed, where keeping the previous list would keep a friend the
 * user just removed in another line. A user listed twice keeps her first line (the repeat is reported).
 *
 * <pre>{@code
 * FriendsList friends = FriendsList.read(Path.of("friends.txt"));
 * friends.contains(UserId.parse("pk:abc"));  // true if listed
 * friends.petname(UserId.parse("pk:abc"));   // "Alice Smith"
 * }</pre>
 */
public final class FriendsList {
    /** The list of a missing file: nobody. */
    public static final FriendsList EMPTY = new FriendsList(Map.of(), Set.of(), List.of());
    /** The per-friend option that requires mutual authentication. */
    public static final String AUTH_OPTION = "+auth";
    /** The longest petname kept, in UTF-16 units: a longer one is cut (and reported), so every entry fits a frame. */
    public static final int MAX_PETNAME = 256;

    private final Map<UserId, String> petnames;
    private final Set<UserId> requireAuth;
    private final List<Problem> problems;

    /** A line that was skipped, and why. */
    public record Problem(int line, String message) {
        @Override
        public String toString() {
            return "line " + line + ": " + message;
        }
    }

    private FriendsList(Map<UserId, String> petnames, Set<UserId> requireAuth, List<Problem> problems) {
        this.petnames = Collections.unmodifiableMap(petnames);
        this.requireAuth = Set.copyOf(requireAuth);
        this.problems = List.copyOf(problems);
    }

    /** Reads {@code file}; a missing file is an empty list. */
    public static FriendsList read(Path file) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
    }

    /** Parses the text of a friends file. */
    public static FriendsList parse(String text) {
        Map<UserId, String> petnames = new LinkedHashMap<>();
        Set<UserId> requireAuth = new HashSet<>();
        List<Problem> problems = new ArrayList<>();
        String[] lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = firstWhitespace(line);
            String id = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? "" : line.substring(space).strip();
            UserId user;
            try {
                user = UserId.parse(id);
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(i + 1, e.getMessage() + "; line skipped"));
                continue;
            }
            boolean auth = false;
            String unknown = null;
            while (rest.startsWith("+") && unknown == null) {
                int end = firstWhitespace(rest);
                String option = end < 0 ? rest : rest.substring(0, end);
                if (option.equals(AUTH_OPTION)) {
                    auth = true;
                } else {
                    unknown = option;
                }
                rest = end < 0 ? "" : rest.substring(end).strip();
            }
            if (unknown != null) {
                problems.add(new Problem(i + 1, "unknown option " + unknown + " after " + user + " (the only option is "
                        + AUTH_OPTION + ", and a petname cannot start with +); line skipped"));
                continue;
            }
            if (rest.length() > MAX_PETNAME) {
                int cut = Character.isHighSurrogate(rest.charAt(MAX_PETNAME - 1)) ? MAX_PETNAME - 1 : MAX_PETNAME;
                rest = rest.substring(0, cut).strip();
                problems.add(new Problem(i + 1, "the petname of " + user + " is longer than " + MAX_PETNAME
                        + " characters; its first " + cut + " are kept"));
            }
            if (petnames.putIfAbsent(user, rest) != null) {
                problems.add(new Problem(i + 1, user + " is listed again; the first entry counts"));
            } else if (auth) {
                requireAuth.add(user);
            }
        }
        return new FriendsList(petnames, requireAuth, problems);
    }

    private static int firstWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    public boolean contains(UserId user) {
        return petnames.containsKey(user);
    }

    /** Whether {@code user}'s entry carries {@code +auth}: channels with her are always mutually authenticated. */
    public boolean requiresAuth(UserId user) {
        return requireAuth.contains(user);
    }

    /** The petname of {@code user}, empty if she is not listed or has none. */
    public String petname(UserId user) {
        return petnames.getOrDefault(user, "");
    }

    public Optional<String> lookup(UserId user) {
        return Optional.ofNullable(petnames.get(user));
    }

    /** Every friend with her petname, in file order. */
    public Map<UserId, String> entries() {
        return petnames;
    }

    /** The friends' printable ids, in file order (what the node receives in privacy mode "upload"). */
    public List<String> ids() {
        List<String> ids = new ArrayList<>(petnames.size());
        petnames.keySet().forEach(u -> ids.add(u.toString()));
        return ids;
    }

    public int size() {
        return petnames.size();
    }

    /** One entry per skipped line, with its line number, in file order. */
    public List<Problem> problems() {
        return problems;
    }

    /** Same friends with the same petnames and options. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FriendsList other && petnames.equals(other.petnames) && requireAuth.equals(other.requireAuth);
    }

    @Override
    public int hashCode() {
        return petnames.hashCode() * 31 + requireAuth.hashCode();
    }

    @Override
    public String toString() {
        return petnames.size() + " friends";
    }
}
