package io.c2f.demo;

import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.Role;
import io.c2f.controller.auth.Secrets;
import io.c2f.controller.broker.DeviceCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the demo makes up so that its controller can run as a real one would, with tokens and
 * device credentials, and still start with one command. Everything goes to one owner-only
 * directory (0700, files 0600):
 * <ul>
 * <li>{@code admin.token}, {@code read.token}: the operator's bearer tokens (dashboard, API)
 * <li>{@code api-tokens.properties}: their SHA-256 hashes, the controller's {@code api.tokens.file}
 * <li>{@code device-credentials.properties}: each device's password as a PBKDF2 hash, the
 *     embedded broker's {@code broker.credentials.file}
 * <li>{@code device-passwords.properties}: the same passwords in clear, {@code deviceId=password},
 *     for the simulator ({@code --credentials}); {@code {deviceId}.password} for each real agent
 *     ({@code c2f.broker.password-file})
 * </ul>
 * The controller's own broker login is made up by the controller itself and never written.
 */
public final class DemoSecrets {
    private final Path dir;
    private final String adminToken;
    private final String readToken;

    private DemoSecrets(Path dir, String adminToken, String readToken) {
        this.dir = dir;
        this.adminToken = adminToken;
        this.readToken = readToken;
    }

    /** Generates tokens and one password per device into {@code dir}, which must not hold them yet. Blocks. */
    public static DemoSecrets generate(Path dir, Collection<String> deviceIds) throws IOException {
        OwnerOnly.directory(dir);
        DemoSecrets s = new DemoSecrets(dir, Secrets.random(), Secrets.random());
        OwnerOnly.write(s.adminTokenFile(), s.adminToken + "\n");
        OwnerOnly.write(s.readTokenFile(), s.readToken + "\n");
        OwnerOnly.write(s.apiTokensFile(), "# name = role:sha256(token); the tokens are in admin.token and read.token\n"
                + "demo-admin = " + ApiTokens.entry(Role.ADMIN, s.adminToken) + "\n"
                + "demo-viewer = " + ApiTokens.entry(Role.READ_ONLY, s.readToken) + "\n");
        Map<String, String> passwords = new LinkedHashMap<>();
        deviceIds.forEach(id -> passwords.put(id, Secrets.random()));
        StringBuilder hashes = new StringBuilder("# deviceId = PBKDF2 hash of its broker password\n");
        StringBuilder clear = new StringBuilder("# deviceId = broker password (the simulator's --credentials)\n");
        for (Map.Entry<String, String> e : passwords.entrySet()) {
            hashes.append(e.getKey()).append('=').append(DeviceCredentials.hash(e.getValue().toCharArray())).append('\n');
            clear.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            OwnerOnly.write(s.passwordFileOf(e.getKey()), e.getValue() + "\n");
        }
        OwnerOnly.write(s.deviceCredentialsFile(), hashes.toString());
        OwnerOnly.write(s.devicePasswordsFile(), clear.toString());
        return s;
    }

    public Path dir() {
        return dir;
    }

    /** The admin bearer token (may change the fleet). */
    public String adminToken() {
        return adminToken;
    }

    /** The read-only bearer token (dashboard viewing). */
    public String readToken() {
        return readToken;
    }

    public Path adminTokenFile() {
        return dir.resolve("admin.token");
    }

    public Path readTokenFile() {
        return dir.resolve("read.token");
    }

    /** The controller's {@code api.tokens.file}: hashes only. */
    public Path apiTokensFile() {
        return dir.resolve("api-tokens.properties");
    }

    /** The embedded broker's {@code broker.credentials.file}: hashes only. */
    public Path deviceCredentialsFile() {
        return dir.resolve("device-credentials.properties");
    }

    /** Every device's password in clear, for the simulator. */
    public Path devicePasswordsFile() {
        return dir.resolve("device-passwords.properties");
    }

    /** One device's password in clear, for a real agent's {@code c2f.broker.password-file}. */
    public Path passwordFileOf(String deviceId) {
        return dir.resolve(deviceId + ".password");
    }

    @Override
    public String toString() {
        return "DemoSecrets[" + dir + "]"; // never the tokens
    }
}
