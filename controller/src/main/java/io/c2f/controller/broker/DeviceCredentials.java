package io.c2f.controller.broker;

import io.c2f.controller.config.ConfigException;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Device passwords, stored as salted PBKDF2-HMAC-SHA256 hashes, one device a line:
 * {@code deviceId=pbkdf2-sha256$iterations$saltBase64$hashBase64} (a properties file; write
 * lines with {@link #hash}). The device id is also the MQTT username and client id.
 */
public final class DeviceCredentials {
    private static final String SCHEME = "pbkdf2-sha256";
    private static final int ITERATIONS = 100_000;
    private final Map<String, String> hashes;

    private DeviceCredentials(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    public static DeviceCredentials none() {
        return new DeviceCredentials(Map.of());
    }

    /** Reads a credentials file; every line is checked now, so a bad file fails at start. */
    public static DeviceCredentials load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read broker.credentials.file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> hashes = new HashMap<>();
        for (String id : p.stringPropertyNames()) {
            if (!Topics.isValidId(id)) {
                throw new ConfigException("device id '" + id + "' in " + file + " must be 1-64 characters of [A-Za-z0-9_.-]");
            }
            if (EnrolmentToken.isBootstrapUsername(id)) {
                throw new ConfigException("device id '" + id + "' in " + file + " must not start with '"
                        + EnrolmentToken.USERNAME_PREFIX + "' (the enrolment bootstrap logins' prefix)");
            }
            String h = p.getProperty(id).trim();
            String[] parts = h.split("\\$");
            if (parts.length != 4 || !parts[0].equals(SCHEME)) {
                throw new ConfigException("credentials of '" + id + "' in " + file + " must have the form "
                        + SCHEME + "$iterations$salt$hash");
            }
            hashes.put(id, h);
        }
        return new DeviceCredentials(hashes);
    }

    /** Credentials given in code (tests, provisioning tools): device id to clear-text password. */
    public static DeviceCredentials of(Map<String, String> passwords) {
        Map<String, String> hashes = new HashMap<>();
        passwords.forEach((id, pw) -> hashes.put(id, hash(pw.toCharArray())));
        return new DeviceCredentials(hashes);
    }

    public boolean knows(String deviceId) {
        return hashes.containsKey(deviceId);
    }

    /** Whether the password is the device's. Constant-time comparison of the hashes. */
    public boolean check(String deviceId, byte[] password) {
        return verify(deviceId == null ? null : hashes.get(deviceId), password);
    }

    /**
     * Whether the password matches a stored hash of this scheme ({@link #hash}); false for a null or
     * malformed hash. PBKDF2: call it off the event loop. Constant-time comparison of the hashes.
     */
    public static boolean verify(String stored, byte[] password) {
        if (stored == null || password == null) {
            return false;
        }
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return false;
        }
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
        return MessageDigest.isEqual(expected, derive(chars, salt, iterations));
    }

    /** A line value for the credentials file. */
    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return SCHEME + "$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(password, salt, ITERATIONS));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }
}
