package io.c2f.controller.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Builds a {@link ControllerConfig} from, in increasing precedence: built-in defaults, a file
 * (JSON, nested or flat, or Java properties; named by {@code --config=PATH} or {@code C2F_CONFIG}),
 * environment variables ({@code C2F_HTTP_PORT} for {@code http.port}) and command-line flags
 * ({@code --http.port=8080}). Unknown keys in a file or in flags are errors, so a typo never
 * silently falls back to a default.
 */
public final class ConfigLoader {
    public static final String ENV_PREFIX = "C2F_";
    public static final String CONFIG_KEY = "config";

    /** Every key with its default, in documentation order. */
    static final Map<String, String> DEFAULTS = defaults();

    private ConfigLoader() {
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("fleet", "default");
        d.put("instance.id", defaultInstanceId());
        d.put("http.host", "127.0.0.1");
        d.put("http.port", "8080");
        d.put("api.tokens.file", "");
        d.put("mqtt.url", "");
        d.put("mqtt.username", "");
        d.put("mqtt.password", "");
        d.put("mqtt.shared.group", "");
        d.put("broker.host", "127.0.0.1");
        d.put("broker.port", "1883");
        d.put("broker.allow.anonymous", "false");
        d.put("broker.credentials.file", "");
        d.put("broker.max.inflight", "1000");
        d.put("broker.enrolment", "");
        d.put("data.dir", "c2f-data");
        d.put("db.url", "");
        d.put("db.user", "sa");
        d.put("db.password", "");
        d.put("db.pool.size", "4");
        d.put("heartbeat.timeout.factor", "3");
        d.put("heartbeat.default.ms", "30000");
        d.put("liveness.sweep.ms", "1000");
        d.put("shutdown.drain.ms", "20000");
        d.put("telemetry.batch.size", "500");
        d.put("telemetry.batch.delay.ms", "20");
        d.put("telemetry.queue.capacity", "20000");
        // auto: 2 lanes on PostgreSQL (two transactions share the commit wait), 1 on H2 (in process:
        // 2 measured no faster, deploy/demo/README.md "Telemetry ingest")
        d.put("telemetry.writers", "auto");
        // stored: a kill -9 must not lose a record the controller acknowledged (queued: the write queue would)
        d.put("telemetry.ack", "stored");
        d.put("broker.tls.port", "0");
        d.put("broker.tls.keystore", "");
        d.put("broker.tls.keystore.password", "");
        d.put("broker.plain.enabled", "true");
        d.put("mqtt.tls.truststore", "");
        d.put("mqtt.tls.truststore.password", "");
        d.put("http.tls.keystore", "");
        d.put("http.tls.keystore.password", "");
        d.put("http.tls.cert", "");
        d.put("http.tls.key", "");
        d.put("models.dir", "");
        d.put("models.upload.max.bytes", Long.toString(64L << 20));
        return d;
    }

    /** The known keys, for help texts. */
    public static List<String> keys() {
        return List.copyOf(DEFAULTS.keySet());
    }

    /** Loads from this process's environment and the given command-line arguments. */
    public static ControllerConfig load(String[] args) {
        return load(args, System.getenv());
    }

    /** Loads from the given environment and command-line arguments. */
    public static ControllerConfig load(String[] args, Map<String, String> env) {
        Map<String, String> flags = parseFlags(args);
        Map<String, String> fromEnv = fromEnvironment(env);
        String file = flags.getOrDefault(CONFIG_KEY, fromEnv.getOrDefault(CONFIG_KEY, ""));
        Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
        if (!file.isEmpty()) {
            merged.putAll(readFile(Path.of(file)));
        }
        merged.putAll(fromEnv);
        merged.putAll(flags);
        merged.remove(CONFIG_KEY);
        return build(merged);
    }

    /** Defaults plus the given values (keys as in a file). */
    public static ControllerConfig fromMap(Map<String, String> values) {
        Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
        for (Map.Entry<String, String> e : values.entrySet()) {
            requireKnown(e.getKey(), "value");
            merged.put(e.getKey(), e.getValue());
        }
        return build(merged);
    }

    static ControllerConfig withOverrides(ControllerConfig base, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(toMap(base));
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            requireKnown(e.getKey(), "override");
            values.put(e.getKey(), e.getValue());
        }
        return build(values);
    }

    /** The config as key/value pairs (passwords included: do not log). */
    public static Map<String, String> toMap(ControllerConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fleet", c.fleet());
        m.put("instance.id", c.instanceId());
        m.put("http.host", c.httpHost());
        m.put("http.port", Integer.toString(c.httpPort()));
        m.put("api.tokens.file", c.apiTokensFile());
        m.put("mqtt.url", c.mqttUrl());
        m.put("mqtt.username", c.mqttUsername());
        m.put("mqtt.password", c.mqttPassword());
        m.put("mqtt.shared.group", c.mqttSharedGroup());
        m.put("broker.host", c.brokerHost());
        m.put("broker.port", Integer.toString(c.brokerPort()));
        m.put("broker.allow.anonymous", Boolean.toString(c.brokerAllowAnonymous()));
        m.put("broker.credentials.file", c.brokerCredentialsFile());
        m.put("broker.max.inflight", Integer.toString(c.brokerMaxInflight()));
        m.put("broker.enrolment", c.brokerEnrolment());
        m.put("data.dir", c.dataDir().toString());
        m.put("models.dir", c.modelsDir());
        m.put("models.upload.max.bytes", Long.toString(c.modelUploadMaxBytes()));
        m.put("db.url", c.dbUrl());
        m.put("db.user", c.dbUser());
        m.put("db.password", c.dbPassword());
        m.put("db.pool.size", Integer.toString(c.dbPoolSize()));
        m.put("heartbeat.timeout.factor", Double.toString(c.heartbeatTimeoutFactor()));
        m.put("heartbeat.default.ms", Long.toString(c.defaultHeartbeatMs()));
        m.put("liveness.sweep.ms", Long.toString(c.livenessSweepMs()));
        m.put("shutdown.drain.ms", Long.toString(c.shutdownDrainMs()));
        m.put("telemetry.batch.size", Integer.toString(c.telemetryBatchSize()));
        m.put("telemetry.batch.delay.ms", Long.toString(c.telemetryBatchDelayMs()));
        m.put("telemetry.queue.capacity", Integer.toString(c.telemetryQueueCapacity()));
        m.put("telemetry.writers", Integer.toString(c.telemetryWriters()));
        m.put("telemetry.ack", c.telemetryAckAfterStore() ? "stored" : "queued");
        TlsSettings t = c.tls();
        m.put("broker.tls.port", Integer.toString(t.brokerPort()));
        m.put("broker.tls.keystore", t.brokerKeystore());
        m.put("broker.tls.keystore.password", t.brokerKeystorePassword());
        m.put("broker.plain.enabled", Boolean.toString(t.brokerPlain()));
        m.put("mqtt.tls.truststore", t.mqttTruststore());
        m.put("mqtt.tls.truststore.password", t.mqttTruststorePassword());
        m.put("http.tls.keystore", t.httpKeystore());
        m.put("http.tls.keystore.password", t.httpKeystorePassword());
        m.put("http.tls.cert", t.httpCert());
        m.put("http.tls.key", t.httpKey());
        return m;
    }

    static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new ConfigException("argument '" + arg + "' must have the form --key=value (keys: "
                        + String.join(", ", DEFAULTS.keySet()) + ", config)");
            }
            String key = arg.substring(2, arg.indexOf('='));
            if (!key.equals(CONFIG_KEY)) {
                requireKnown(key, "flag --" + key);
            }
            flags.put(key, arg.substring(arg.indexOf('=') + 1));
        }
        return flags;
    }

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : DEFAULTS.keySet()) {
            String value = env.get(envName(key));
            if (value != null) {
                values.put(key, value);
            }
        }
        String file = env.get(envName(CONFIG_KEY));
        if (file != null) {
            values.put(CONFIG_KEY, file);
        }
        return values;
    }

    /** {@code http.port} -> {@code C2F_HTTP_PORT}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist or is not a file");
        }
        Map<String, String> values = new LinkedHashMap<>();
        try {
            if (file.getFileName().toString().endsWith(".json")) {
                JsonObject json;
                try {
                    json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
                } catch (DecodeException e) {
                    throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage(), e);
                }
                flatten("", json, values, file);
            } else {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                for (String name : new TreeSet<>(p.stringPropertyNames())) {
                    values.put(name, p.getProperty(name).trim());
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        for (String key : values.keySet()) {
            requireKnown(key, "key '" + key + "' in " + file);
        }
        return values;
    }

    private static void flatten(String prefix, JsonObject json, Map<String, String> out, Path file) {
        for (Map.Entry<String, Object> e : json) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            Object v = e.getValue();
            if (v instanceof JsonObject nested) {
                flatten(key, nested, out, file);
            } else if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
                out.put(key, v == null ? "" : v.toString());
            } else {
                throw new ConfigException("key '" + key + "' in " + file + " must be a string, number or boolean");
            }
        }
    }

    private static void requireKnown(String key, String where) {
        if (!DEFAULTS.containsKey(key)) {
            throw new ConfigException(where + ": unknown key '" + key + "' (known: "
                    + String.join(", ", DEFAULTS.keySet()) + ")");
        }
    }

    private static ControllerConfig build(Map<String, String> v) {
        return new ControllerConfig(
                v.get("fleet").trim(),
                v.get("instance.id").trim(),
                v.get("http.host").trim(),
                integer(v, "http.port"),
                v.get("api.tokens.file").trim(),
                v.get("mqtt.url").trim(),
                v.get("mqtt.username"),
                v.get("mqtt.password"),
                v.get("mqtt.shared.group").trim(),
                v.get("broker.host").trim(),
                integer(v, "broker.port"),
                bool(v, "broker.allow.anonymous"),
                v.get("broker.credentials.file").trim(),
                integer(v, "broker.max.inflight"),
                Path.of(v.get("data.dir").trim()),
                v.get("db.url").trim(),
                v.get("db.user"),
                v.get("db.password"),
                integer(v, "db.pool.size"),
                decimal(v, "heartbeat.timeout.factor"),
                longValue(v, "heartbeat.default.ms"),
                longValue(v, "liveness.sweep.ms"),
                longValue(v, "shutdown.drain.ms"),
                integer(v, "telemetry.batch.size"),
                longValue(v, "telemetry.batch.delay.ms"),
                integer(v, "telemetry.queue.capacity"),
                telemetryWriters(v),
                telemetryAck(v.get("telemetry.ack")),
                new TlsSettings(integer(v, "broker.tls.port"), v.get("broker.tls.keystore").trim(),
                        v.get("broker.tls.keystore.password"), bool(v, "broker.plain.enabled"),
                        v.get("mqtt.tls.truststore").trim(), v.get("mqtt.tls.truststore.password"),
                        v.get("http.tls.keystore").trim(), v.get("http.tls.keystore.password"),
                        v.get("http.tls.cert").trim(), v.get("http.tls.key").trim()),
                v.get("models.dir").trim(),
                longValue(v, "models.upload.max.bytes"),
                v.get("broker.enrolment").trim());
    }

    private static boolean telemetryAck(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "stored" -> true;
            case "queued" -> false;
            default -> throw new ConfigException("telemetry.ack '" + value + "' must be queued or stored");
        };
    }

    private static int telemetryWriters(Map<String, String> v) {
        if (!v.get("telemetry.writers").trim().equalsIgnoreCase("auto")) {
            return integer(v, "telemetry.writers");
        }
        return v.get("db.url").trim().startsWith("jdbc:postgresql:") ? 2 : 1;
    }

    private static int integer(Map<String, String> v, String key) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " '" + v.get(key) + "' is not an integer");
        }
    }

    private static long longValue(Map<String, String> v, String key) {
        try {
            return Long.parseLong(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " '" + v.get(key) + "' is not an integer");
        }
    }

    private static double decimal(Map<String, String> v, String key) {
        try {
            return Double.parseDouble(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " '" + v.get(key) + "' is not a number");
        }
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.get(key).trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new ConfigException(key + " '" + v.get(key) + "' must be true or false");
        };
    }

    /** A stable id across restarts (the MQTT session of the controller is keyed on it). */
    private static String defaultInstanceId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = Files.readString(Path.of("/etc/hostname")).trim();
            } catch (IOException | RuntimeException e) {
                host = "";
            }
        }
        String cleaned = host.replaceAll("[^A-Za-z0-9_.-]", "-");
        if (cleaned.length() > 50) {
            cleaned = cleaned.substring(0, 50);
        }
        return cleaned.isEmpty() ? "controller" : "ctl-" + cleaned;
    }
}
