package io.c2f.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The structure rules of the whole tree, checked on the compiled main code of every module (this module
 * depends on all of them): no cycle between packages, and no package of one module using a {@code cli}
 * package of another (command-line tools are leaves). Read with the JDK's own jdeps.
 */
class PackageStructureTest {
    /** An edge of the package graph: from a package to a package, and the archives they live in. */
    record Use(String from, String fromArchive, String to, String toArchive) {
    }

    @Test
    void noPackageCycleAndNoCliPackageUsedFromAnotherModule() {
        Map<String, Path> archives = ourArchives();
        List<Use> uses = uses(archives);
        System.out.println("package structure: " + uses.size() + " package uses between " + uses.stream()
                .map(Use::from).distinct().count() + " packages of " + archives.keySet());
        assertTrue(uses.size() > 100, "jdeps found only " + uses.size() + " package uses: is the class path read?");
        List<Set<String>> cycles = cycles(uses);
        assertEquals(List.of(), cycles, "package cycles in main code");
        List<String> cli = uses.stream().filter(u -> u.to().endsWith(".cli") && !u.fromArchive().equals(u.toArchive()))
                .map(u -> u.from() + " (" + u.fromArchive() + ") -> " + u.to() + " (" + u.toArchive() + ")").toList();
        assertEquals(List.of(), cli, "cli packages used from another module");
    }

    @Test
    void aPlantedCycleIsFound() {
        List<Use> planted = List.of(new Use("a", "x", "b", "x"), new Use("b", "x", "c", "x"), new Use("c", "x", "a", "x"),
                new Use("c", "x", "d", "x"));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(planted));
    }

    /** The main classes of every c2f module on the test class path (directories or jars), by archive name. */
    static Map<String, Path> ourArchives() {
        Map<String, Path> out = new TreeMap<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e).toAbsolutePath().normalize();
            boolean classesDir = Files.isDirectory(p) && p.endsWith(Path.of("target", "classes"));
            boolean ourJar = p.getFileName().toString().matches("c2f-.*\\.jar") && !e.contains("tests");
            if (classesDir) {
                out.put(p.getParent().getParent().getFileName() + "/classes", p);
            } else if (ourJar) {
                out.put(p.getFileName().toString(), p);
            }
        }
        return out;
    }

    static List<Use> uses(Map<String, Path> archives) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        String cp = String.join(File.pathSeparator, archives.values().stream().map(Path::toString).toList());
        Map<String, String> archiveOfPath = new HashMap<>();
        archives.forEach((name, path) -> archiveOfPath.put(path.getFileName().toString(), name));
        List<Use> uses = new ArrayList<>();
        for (Map.Entry<String, Path> a : archives.entrySet()) {
            StringWriter out = new StringWriter();
            int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none",
                    "--multi-release", "17", "-cp", cp, a.getValue().toString());
            assertEquals(0, rc, "jdeps on " + a.getKey() + ": " + out);
            for (String line : out.toString().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[1].equals("->") && f[0].startsWith("io.c2f") && f[2].startsWith("io.c2f")) {
                    uses.add(new Use(f[0], a.getKey(), f[2], archiveOfPath.getOrDefault(f[3], f[3])));
                }
            }
        }
        return uses;
    }

    /** Strongly connected sets of more than one package (Tarjan), each sorted; in a stable order. */
    static List<Set<String>> cycles(List<Use> uses) {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Use u : uses) {
            graph.computeIfAbsent(u.from(), k -> new TreeSet<>());
            graph.computeIfAbsent(u.to(), k -> new TreeSet<>());
            if (!u.from().equals(u.to())) {
                graph.get(u.from()).add(u.to());
            }
        }
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.get(v)) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }
}
