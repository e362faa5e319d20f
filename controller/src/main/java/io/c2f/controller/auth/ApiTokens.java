package io.c2f.controller.auth;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Operator bearer tokens, stored hashed: a file of lines {@code name = role:sha256hex(token)}, e.g.
 * {@code grafana = read-only:9f86d0...}. Tokens are long random strings (not passwords), so one
 * SHA-256 is enough; comparison is constant-time on the hashes. An empty set means auth is off
 * (development; the controller logs a warning).
 */
public final class ApiTokens {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    /** A known token. */
    public record Principal(String name, Role role) {
    }

    private final Map<String, Principal> byHash;

    private ApiTokens(Map<String, Principal> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    public static ApiTokens none() {
        return new ApiTokens(Map.of());
    }

    /** name -> role:hash entries. */
    public static ApiTokens of(Map<String, String> entries, String source) {
        Map<String, Principal> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String v = e.getValue().trim();
            int colon = v.lastIndexOf(':');
            if (colon < 0) {
                // the value is not echoed: it may be a clear-text token pasted in by mistake
                throw new IllegalArgumentException(source + ": token '" + e.getKey() + "' must be role:sha256hex "
                        + "(e.g. admin:9f86d0...; its value is not shown)");
            }
            Role role;
            try {
                role = Role.parse(v.substring(0, colon));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(source + ": token '" + e.getKey() + "': " + x.getMessage());
            }
            String hash = v.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            if (!HEX.matcher(hash).matches()) {
                throw new IllegalArgumentException(source + ": token '" + e.getKey()
                        + "' hash must be 64 hex digits (sha256 of the token)");
            }
            if (m.put(hash, new Principal(e.getKey(), role)) != null) {
                throw new IllegalArgumentException(source + ": token '" + e.getKey() + "' has the hash of another token");
            }
        }
        return new ApiTokens(m);
    }

    public static ApiTokens load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read API token file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> entries = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> entries.put(k, p.getProperty(k)));
        return of(entries, file.toString());
    }

    /** The line value for a token: {@code role:sha256hex}. */
    public static String entry(Role role, String token) {
        return role.label() + ":" + hash(token);
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean enabled() {
        return !byHash.isEmpty();
    }

    public Optional<Principal> authenticate(String token) {
        byte[] h = hash(token).getBytes(StandardCharsets.US_ASCII);
        Principal found = null;
        for (Map.Entry<String, Principal> e : byHash.entrySet()) {
            // look at every entry, so timing says nothing about which prefix matched
            if (MessageDigest.isEqual(h, e.getKey().getBytes(StandardCharsets.US_ASCII))) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ApiTokens read-only|admin TOKEN   (prints the line value for the token file)");
            System.exit(2);
        }
        System.out.println(entry(Role.parse(args[0]), args[1]));
    }
}
