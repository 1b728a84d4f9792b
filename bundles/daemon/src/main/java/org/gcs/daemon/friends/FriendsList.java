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
 * first whitespace-separated word, the petname the rest of the line (spaces kept, may be empty). The option
 * {@code +auth} right after the id requires end-to-end mutual authentication of every channel with that friend, in any
 * privacy mode (a petname cannot start with the word {@code +auth}). Lines starting with {@code #} and blank lines
 * are skipped. A malformed line is reported in {@link #problems()} and skipped; the other
 * lines still count. A user listed twice keeps her first line.
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

    private final Map<UserId, String> petnames;
    private final Set<UserId> requireAuth;
    private final List<String> problems;

    private FriendsList(Map<UserId, String> petnames, Set<UserId> requireAuth, List<String> problems) {
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
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = firstWhitespace(line);
            String id = space < 0 ? line : line.substring(0, space);
            String petname = space < 0 ? "" : line.substring(space).strip();
            boolean auth = false;
            if (petname.equals(AUTH_OPTION) || petname.startsWith(AUTH_OPTION)
                    && Character.isWhitespace(petname.charAt(AUTH_OPTION.length()))) {
                auth = true;
                petname = petname.substring(AUTH_OPTION.length()).strip();
            }
            UserId user;
            try {
                user = UserId.parse(id);
            } catch (IllegalArgumentException e) {
                problems.add("line " + (i + 1) + ": " + e.getMessage());
                continue;
            }
            if (petnames.putIfAbsent(user, petname) != null) {
                problems.add("line " + (i + 1) + ": " + user + " is listed again; the first entry counts");
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

    /** One message per skipped line, with its line number. */
    public List<String> problems() {
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
