package org.gcs.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ops4j.pax.exam.Option;

/**
 * The bundle set of one role, read from the resolved {@code -runbundles} of {@code assembly/<role>.bndrun} and found
 * by symbolic name among the jars the assembly module copied to {@code assembly/target/bundles}. Testing exactly that
 * set proves the role's runnable jar is made of bundles that resolve and wire.
 */
final class RoleBundles {
    private static final Pattern ENTRY = Pattern.compile("^\\s*([A-Za-z0-9_.\\-]+);version=");

    private RoleBundles() {
    }

    static Path assemblyDir() {
        return Paths.get(System.getProperty("gcs.assembly.dir", "../assembly")).toAbsolutePath().normalize();
    }

    static List<String> symbolicNames(String role) {
        try {
            List<String> names = new ArrayList<>();
            boolean inRunBundles = false;
            for (String line : Files.readAllLines(assemblyDir().resolve(role + ".bndrun"))) {
                if (line.startsWith("-runbundles:")) {
                    inRunBundles = true;
                    continue;
                }
                if (inRunBundles) {
                    Matcher m = ENTRY.matcher(line);
                    if (!m.find()) {
                        break;
                    }
                    names.add(m.group(1));
                    if (!line.trim().endsWith("\\")) {
                        break;
                    }
                }
            }
            if (names.isEmpty()) {
                throw new IllegalStateException(role + ".bndrun has no resolved -runbundles");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Option[] options(String role) {
        return options(role, java.util.Set.of());
    }

    /** The role's bundles except those named in {@code without} (to be installed by the test itself). */
    static Option[] options(String role, java.util.Set<String> without) {
        Map<String, Path> jars = jarsBySymbolicName();
        List<Option> options = new ArrayList<>();
        for (String name : symbolicNames(role)) {
            if (without.contains(name)) {
                continue;
            }
            Path jar = jars.get(name);
            if (jar == null) {
                throw new IllegalStateException("no jar for bundle " + name + " of role " + role + " in " + jars.keySet());
            }
            options.add(isFragment(jar) ? bundle(jar.toUri().toString()).noStart() : bundle(jar.toUri().toString()));
        }
        return options.toArray(new Option[0]);
    }

    /** The jar of bundle {@code symbolicName} among the assembly's bundles. */
    static Path jar(String symbolicName) {
        Path jar = jarsBySymbolicName().get(symbolicName);
        if (jar == null) {
            throw new IllegalStateException("no jar for bundle " + symbolicName + " in " + assemblyDir().resolve("target/bundles"));
        }
        return jar;
    }

    private static boolean isFragment(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Path> jarsBySymbolicName() {
        Map<String, Path> jars = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(assemblyDir().resolve("target/bundles"), "*.jar")) {
            for (Path jar : dir) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    if (file.getManifest() == null) {
                        continue;
                    }
                    String bsn = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                    if (bsn != null) {
                        jars.put(bsn.split(";")[0].trim(), jar);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jars;
    }
}
