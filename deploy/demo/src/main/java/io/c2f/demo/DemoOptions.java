package io.c2f.demo;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo's command line: {@code c2f-demo [--duration 5m] [--http-port 8080] [--data-dir demo-data]
 * [--devices 50] [--real 2] [--agent-jar PATH] [--model DIR] [--catalog DIR]}. Paths default to
 * the repository layout around the demo jar ({@code deploy/demo/target/c2f-demo.jar}),
 * then to the working directory.
 *
 * @param duration how long to run after setup (null: until Ctrl-C)
 */
public record DemoOptions(Duration duration, int httpPort, Path dataDir, int simDevices, int realAgents, Path agentJar,
        Path modelDir, Path catalogDir) {
    private static final Set<String> KEYS = Set.of("duration", "http-port", "data-dir", "devices", "real", "agent-jar",
            "model", "catalog");

    public static String usage() {
        return """
                usage: java -jar deploy/demo/target/c2f-demo.jar [options]
                  --duration D     run this long after setup, e.g. 90s, 5m (default: until Ctrl-C)
                  --http-port N    API and dashboard port (default 8080; a free one if 8080 is taken)
                  --data-dir DIR   controller database, bundles, agent state, logs and the generated secrets
                                   (owner-only; default demo-data; wiped at start)
                  --devices N      simulated devices (default 50)
                  --real N         real TFLite agents (default 2)
                  --agent-jar F    the agent jar (default edge-agent/target/c2f-agent.jar)
                  --model DIR      the model (default models/zoo/emoji32-c2f)
                  --catalog DIR    schedule catalog (default schedules/catalog)""";
    }

    public static DemoOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got '" + a + "'");
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + key + " needs a value");
                }
                value = args[++i];
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            m.put(key, value);
        }
        Path root = repositoryRoot();
        return new DemoOptions(m.containsKey("duration") ? duration(m.get("duration")) : null,
                integer(m, "http-port", 8080, 0, 65535), Path.of(m.getOrDefault("data-dir", "demo-data")),
                integer(m, "devices", 50, 1, 1000), integer(m, "real", 2, 0, 16),
                path(m.get("agent-jar"), root, "edge-agent/target/c2f-agent.jar"),
                path(m.get("model"), root, "models/zoo/emoji32-c2f"), path(m.get("catalog"), root, "schedules/catalog"));
    }

    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--duration '" + text + "' must look like 90s, 5m or 1h");
        }
    }

    private static int integer(Map<String, String> m, String key, int dflt, int min, int max) {
        String v = m.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " '" + v + "' must be an integer in " + min + ".." + max);
        }
    }

    /** An explicit path as given; else the default under the repository root if it exists there; else as given. */
    private static Path path(String explicit, Path root, String dflt) {
        if (explicit != null) {
            return Path.of(explicit);
        }
        if (root != null && Files.exists(root.resolve(dflt))) {
            return root.resolve(dflt).normalize();
        }
        return Path.of(dflt);
    }

    /** The repository around {@code deploy/demo/target/c2f-demo.jar}, when running from there. */
    static Path repositoryRoot() {
        try {
            Path code = Path.of(DemoOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // .../deploy/demo/target/c2f-demo.jar or .../deploy/demo/target/classes
            Path target = code.getParent();
            if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
                    && target.getParent() != null && target.getParent().getParent() != null
                    && target.getParent().getParent().getParent() != null) {
                return target.getParent().getParent().getParent();
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through: paths are taken relative to the working directory
        }
        return null;
    }

    List<String> describe() {
        return List.of("agent jar " + agentJar, "model " + modelDir, "catalog " + catalogDir);
    }
}
