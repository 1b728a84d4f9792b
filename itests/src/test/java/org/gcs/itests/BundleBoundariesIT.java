package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The architecture's boundaries, checked on the built bundles: backends meet only through {@code org.gcs.api}, only
 * the API exports packages, and ice4j stays private inside transport-ice.
 */
class BundleBoundariesIT {
    @Test
    void gcsBundlesImportNoGcsPackageButTheApi() throws Exception {
        List<Path> gcs = gcsBundles();
        assertTrue(gcs.size() >= 6, "all GCS bundles found: " + gcs);
        for (Path jar : gcs) {
            for (String p : packages(header(jar, "Import-Package"))) {
                if (p.startsWith("org.gcs.")) {
                    assertTrue(p.equals("org.gcs.api") || p.startsWith("org.gcs.api."), jar.getFileName() + " imports " + p);
                }
            }
        }
    }

    @Test
    void onlyTheApiExportsPackages() throws Exception {
        for (Path jar : gcsBundles()) {
            String name = header(jar, "Bundle-SymbolicName");
            List<String> exports = packages(header(jar, "Export-Package"));
            if (name.equals("org.gcs.api")) {
                assertTrue(exports.stream().allMatch(p -> p.startsWith("org.gcs.api")), "api exports " + exports);
            } else {
                assertEquals(List.of(), exports, name + " exports packages");
            }
        }
    }

    @Test
    void ice4jIsPrivateToTransportIce() throws Exception {
        for (Path jar : gcsBundles()) {
            String name = header(jar, "Bundle-SymbolicName");
            List<String> imports = packages(header(jar, "Import-Package"));
            assertFalse(imports.stream().anyMatch(p -> p.startsWith("org.ice4j") || p.startsWith("org.jitsi")),
                    name + " imports ice4j");
            boolean embedsIce4j;
            try (JarFile file = new JarFile(jar.toFile())) {
                embedsIce4j = file.stream().anyMatch(e -> e.getName().startsWith("org/ice4j/"));
            }
            assertEquals(name.equals("org.gcs.transport.ice"), embedsIce4j, name + " embeds ice4j");
        }
    }

    private static List<Path> gcsBundles() throws Exception {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(RoleBundles.assemblyDir().resolve("target/bundles"), "gcs-*.jar")) {
            dir.forEach(jars::add);
        }
        return jars;
    }

    private static String header(Path jar, String name) throws Exception {
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            String value = main.getValue(name);
            return value == null ? "" : value;
        }
    }

    /** Package names of a manifest header: quoted values removed, then the part before ';' of each clause. */
    static List<String> packages(String header) {
        List<String> names = new ArrayList<>();
        for (String clause : header.replaceAll("\"[^\"]*\"", "").split(",")) {
            String name = clause.split(";")[0].trim();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
