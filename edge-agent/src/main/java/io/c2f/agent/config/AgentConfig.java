package io.c2f.agent.config;

import io.c2f.agent.fs.OwnerOnlyFiles;
import io.c2f.agent.link.Backoff;
import io.c2f.agent.link.LinkSettings;
import io.c2f.agent.telemetry.SpoolDurability;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The agent's configuration: one small properties file (see {@code deploy/agent/c2f-agent.properties}),
 * any key overridable by a JVM system property of the same name.
 *
 * @param fleet fleet id
 * @param deviceId this device's id (also its MQTT client id and broker username by convention)
 * @param brokerUrl tcp://host:1883 or ssl://host:8883
 * @param username broker username, or null
 * @param password broker password, or null
 * @param caFile PEM CA certificate(s) to trust for ssl:// (null: the JDK's default trust store)
 * @param stateDir everything durable: session counter, telemetry spool, bundle slots, downloads
 * @param controllerKey the controller's Ed25519 public key (PEM) that bundle manifests must verify with
 * @param heartbeat interval of DeviceState messages
 * @param keepAlive MQTT keep-alive
 * @param labels device labels ("key=value"), used by rollouts to target devices
 * @param generateQueue bounded queue of generation requests
 * @param spoolCapacity most telemetry records kept while offline
 * @param engine the engine chain, pinned engine and threads
 * @param downloadPatience how long a bundle download may stay paused for broker outages, all of one
 *     job's outages together, before the job fails (the stored chunks are kept)
 * @param enrolToken the fleet enrolment token a device without a credential enrols with
 *     ({@code c2f.enrol.token} or {@code c2f.enrol.token-file}), or null
 * @param bundleDelta {@code c2f.bundle.delta} (default true): reuse bundle files the device already
 *     holds and fetch only the chunks it lacks, and say so in the birth ("bundle-delta"); false
 *     behaves as an agent before deltas (every chunk fetched, nothing announced)
 * @param telemetryInterval {@code c2f.telemetry.interval} (default 60s, at least 1s): how often the
 *     latency totals of the past interval go out as a telemetry record
 * @param spoolDurability {@code c2f.telemetry.spool.durability}: {@code fsync} (default: every record
 *     survives a power cut), {@code page-cache} (the same files without waiting for the disk: survives
 *     the agent's crash, not a power cut) or {@code memory} (written to the spool directory when the
 *     agent closes: survives a graceful restart only). The fleet simulator uses memory for its
 *     devices: thousands of simulated devices on one host spent most of their CPU in spool file
 *     operations, which the controller never sees.
 */
public record AgentConfig(String fleet, String deviceId, String brokerUrl, String username, String password,
        Path caFile, Path stateDir, Path controllerKey, Duration heartbeat, Duration keepAlive, List<String> labels,
        int generateQueue, int spoolCapacity, EngineSettings engine, Duration downloadPatience,
        EnrolmentToken enrolToken, boolean bundleDelta, Duration telemetryInterval,
        SpoolDurability spoolDurability) {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    /**
     * As long as the controller's default job timeout: a broker restart or a short network outage
     * does not cost a download, and an agent does not wait on a job the controller gave up.
     */
    static final String DEFAULT_DOWNLOAD_PATIENCE = "10m";

    /** Reads a properties file; system properties with the same keys win. */
    public static AgentConfig load(Path file) throws ConfigException {
        return load(file, Map.of());
    }

    /** Reads a properties file; system properties with the same keys win, then {@code overrides} (the command line). */
    public static AgentConfig load(Path file, Map<String, String> overrides) throws ConfigException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read agent config " + file + ": " + e.getMessage(), e);
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("c2f.")) {
                p.setProperty(key, System.getProperty(key));
            }
        }
        overrides.forEach(p::setProperty);
        return from(p, file.toAbsolutePath().getParent());
    }

    /** Builds the config from properties; relative paths resolve against {@code base}. */
    public static AgentConfig from(Properties p, Path base) throws ConfigException {
        Map<String, String> m = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        String fleet = required(m, "c2f.fleet");
        if (!Topics.isValidId(fleet)) {
            throw new ConfigException("c2f.fleet '" + fleet + "' must be 1-64 characters of [A-Za-z0-9_.-]");
        }
        String device = required(m, "c2f.device.id");
        if (!Topics.isValidId(device)) {
            throw new ConfigException("c2f.device.id '" + device + "' must be 1-64 characters of [A-Za-z0-9_.-]");
        }
        String url = required(m, "c2f.broker.url");
        if (!url.matches("(tcp|ssl)://[^/:]+(:\\d+)?")) {
            throw new ConfigException("c2f.broker.url '" + url + "' must look like tcp://host:1883 or ssl://host:8883");
        }
        String password = optional(m, "c2f.broker.password");
        String passwordFile = optional(m, "c2f.broker.password-file");
        if (password != null && passwordFile != null) {
            throw new ConfigException("set only one of c2f.broker.password and c2f.broker.password-file");
        }
        if (passwordFile != null) {
            Path pf = base.resolve(passwordFile);
            try {
                password = Files.readString(pf, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigException("c2f.broker.password-file " + pf + " cannot be read: " + e.getMessage(), e);
            }
        }
        EnrolmentToken enrolToken = enrolToken(m, base);
        if (enrolToken != null && (password != null || optional(m, "c2f.broker.username") != null)) {
            throw new ConfigException("c2f.enrol.token is for a device that enrols itself, but c2f.broker.username or "
                    + "c2f.broker.password is set too (a device provisioned by hand): keep one of the two");
        }
        Path ca = pathOrNull(base, optional(m, "c2f.broker.ca-file"));
        if (ca != null && !Files.isReadable(ca)) {
            throw new ConfigException("c2f.broker.ca-file " + ca + " does not exist or is not readable");
        }
        if (ca != null && url.startsWith("tcp://")) {
            throw new ConfigException("c2f.broker.ca-file is set but c2f.broker.url '" + url + "' is not ssl://");
        }
        Path key = pathOrNull(base, optional(m, "c2f.controller.public-key"));
        List<String> labels = new ArrayList<>();
        String labelText = optional(m, "c2f.labels");
        if (labelText != null) {
            for (String l : labelText.split(",")) {
                String label = l.trim();
                if (!label.matches("[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*")) {
                    throw new ConfigException("c2f.labels entry '" + label + "' must be key=value of [A-Za-z0-9_.-]");
                }
                labels.add(label);
            }
        }
        return new AgentConfig(fleet, device, url, optional(m, "c2f.broker.username"), password, ca,
                base.resolve(m.getOrDefault("c2f.state.dir", "state")), key,
                duration(m, "c2f.heartbeat.interval", "10s"), duration(m, "c2f.broker.keep-alive", "20s"),
                List.copyOf(labels), positive(m, "c2f.generate.queue", 8), positive(m, "c2f.telemetry.spool", 10_000),
                engine(m),
                duration(m, "c2f.download.patience", DEFAULT_DOWNLOAD_PATIENCE), enrolToken,
                bool(m, "c2f.bundle.delta", true), telemetryInterval(m),
                spoolDurability(m));
    }

    /** The enrolment token from c2f.enrol.token or an owner-only c2f.enrol.token-file; errors never quote the secret. */
    private static EnrolmentToken enrolToken(Map<String, String> m, Path base) throws ConfigException {
        String text = optional(m, "c2f.enrol.token");
        String file = optional(m, "c2f.enrol.token-file");
        if (text != null && file != null) {
            throw new ConfigException("set only one of c2f.enrol.token and c2f.enrol.token-file");
        }
        if (file != null) {
            return readEnrolToken(base.resolve(file));
        }
        return text == null ? null : parseEnrolToken("c2f.enrol.token", text);
    }

    /**
     * Reads a fleet enrolment token from a file only its owner can read or write (a file others can
     * read is refused: the token lets anyone holding it ask to join the fleet).
     */
    public static EnrolmentToken readEnrolToken(Path file) throws ConfigException {
        String key = "c2f.enrol.token-file " + file;
        try {
            Set<PosixFilePermission> open = OwnerOnlyFiles.openToOthers(file);
            if (!open.isEmpty()) {
                throw new ConfigException(key + " can be read or written by other users " + open
                        + ": make it owner-only (chmod 600)");
            }
            return parseEnrolToken(key, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException(key + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static EnrolmentToken parseEnrolToken(String key, String text) throws ConfigException {
        try {
            return EnrolmentToken.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage(), e); // EnrolmentToken never quotes the secret
        }
    }

    private static boolean bool(Map<String, String> m, String key, boolean dflt) throws ConfigException {
        String v = m.get(key);
        if (v == null) {
            return dflt;
        }
        return switch (v.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + " must be true or false, got '" + v.trim() + "'");
        };
    }

    private static EngineSettings engine(Map<String, String> m) throws ConfigException {
        if (m.containsKey("c2f.tflite.delegates")) {
            throw new ConfigException("c2f.tflite.delegates was replaced by c2f.engine.chain (links such as "
                    + "tflite-xnnpack,tflite-cpu) and c2f.tflite.gpu-delegate (the GPU delegate library); "
                    + "see edge-agent/README.md, Engine chain");
        }
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        int threads = m.containsKey("c2f.engine.threads") ? positive(m, "c2f.engine.threads", cores)
                : positive(m, "c2f.tflite.threads", cores); // the key before ONNX Runtime joined
        String pin = m.getOrDefault("c2f.engine", "auto");
        if (!pin.equals("auto") && !pin.equals("tflite") && !pin.equals("onnx")) {
            throw new ConfigException("c2f.engine '" + pin + "' must be auto, tflite or onnx");
        }
        return new EngineSettings(threads, pin.equals("auto") ? "" : pin, m.getOrDefault("c2f.engine.chain", ""),
                m.getOrDefault("c2f.tflite.gpu-delegate", ""));
    }

    /** Link settings for DeviceLink, including TLS trust when a CA file is configured. */
    public LinkSettings linkSettings() throws ConfigException {
        LinkSettings s = LinkSettings.of(brokerUrl, fleet, deviceId, stateDir.resolve("session"))
                .withTimings(keepAlive, Backoff.defaults());
        if (username != null) {
            s = s.withCredentials(username, password == null ? null : password.toCharArray());
        }
        if (caFile != null) {
            s = s.withSocketFactory(trusting(caFile));
        }
        return s;
    }

    /** An SSL socket factory that trusts exactly the certificates in a PEM file. */
    public static SSLSocketFactory trusting(Path caPem) throws ConfigException {
        try (InputStream in = Files.newInputStream(caPem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new ConfigException("c2f.broker.ca-file " + caPem + " holds no certificate");
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("c2f.broker.ca-file " + caPem + " is not a usable PEM certificate: "
                    + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> m, String key) throws ConfigException {
        String v = m.get(key);
        if (v == null || v.isEmpty()) {
            throw new ConfigException("missing required setting " + key);
        }
        return v;
    }

    private static String optional(Map<String, String> m, String key) {
        String v = m.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    private static Path pathOrNull(Path base, String value) {
        return value == null ? null : base.resolve(value);
    }

    private static int positive(Map<String, String> m, String key, int dflt) throws ConfigException {
        String v = m.get(key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a positive integer, got '" + v + "'");
        }
    }

    /** Each interval's totals cost a spool file and a record: shorter than a second is a mistake. */
    private static SpoolDurability spoolDurability(Map<String, String> m) throws ConfigException {
        String text = m.getOrDefault("c2f.telemetry.spool.durability", "fsync");
        try {
            return SpoolDurability.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("c2f.telemetry.spool.durability " + e.getMessage());
        }
    }

    private static Duration telemetryInterval(Map<String, String> m) throws ConfigException {
        Duration d = duration(m, "c2f.telemetry.interval", "60s");
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("c2f.telemetry.interval must be at least 1s, got '"
                    + m.get("c2f.telemetry.interval") + "'");
        }
        return d;
    }

    static Duration duration(Map<String, String> m, String key, String dflt) throws ConfigException {
        return parseDuration(key, m.getOrDefault(key, dflt));
    }

    /** A duration as the agent's keys take it (500ms, 10s, 5m, 1h; more than zero); {@code key} names it in the error. */
    public static Duration parseDuration(String key, String value) throws ConfigException {
        String v = value.toLowerCase(Locale.ROOT);
        Matcher matcher = DURATION.matcher(v);
        if (!matcher.matches()) {
            throw new ConfigException(key + " must be a duration like 500ms, 10s, 5m or 1h, got '" + v + "'");
        }
        long n = Long.parseLong(matcher.group(1));
        Duration d = switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw new ConfigException(key + " must be greater than zero");
        }
        return d;
    }

    @Override
    public String toString() {
        return "AgentConfig[fleet=" + fleet + ", device=" + deviceId + ", broker=" + brokerUrl
                + (username == null ? "" : ", user=" + username) + (enrolToken == null ? "" : ", enrol=" + enrolToken)
                + ", state=" + stateDir + "]";
    }
}
