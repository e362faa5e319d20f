package io.c2f.demo;

import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.Role;
import io.c2f.controller.auth.Secrets;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What the demo makes up so that its controller can run as a real one would, with tokens, and
 * still start with one command. Everything goes to one owner-only directory (0700, files 0600):
 * <ul>
 * <li>{@code admin.token}, {@code read.token}: the operator's bearer tokens (dashboard, API)
 * <li>{@code api-tokens.properties}: their SHA-256 hashes, the controller's {@code api.tokens.file}
 * <li>{@code {tokenId}.enrol-token}: each fleet enrolment token the scenario creates through the API
 *     (shown once by the controller), for the agents' {@code c2f.enrol.token-file} and the
 *     simulator's {@code --enrol-token-file}
 * </ul>
 * No device password is made up here: devices enrol and generate their own credentials, and the
 * controller's own broker login is made up by the controller itself and never written.
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

    /** Generates the API tokens into {@code dir}, which must not hold them yet. Blocks. */
    public static DemoSecrets generate(Path dir) throws IOException {
        OwnerOnly.directory(dir);
        DemoSecrets s = new DemoSecrets(dir, Secrets.random(), Secrets.random());
        OwnerOnly.write(s.adminTokenFile(), s.adminToken + "\n");
        OwnerOnly.write(s.readTokenFile(), s.readToken + "\n");
        OwnerOnly.write(s.apiTokensFile(), "# name = role:sha256(token); the tokens are in admin.token and read.token\n"
                + "demo-admin = " + ApiTokens.entry(Role.ADMIN, s.adminToken) + "\n"
                + "demo-viewer = " + ApiTokens.entry(Role.READ_ONLY, s.readToken) + "\n");
        return s;
    }

    /** Keeps an enrolment token ({@code {tokenId}.{secret}}, as the API showed it once) owner-only; returns its file. */
    public Path keepEnrolmentToken(String tokenId, String token) throws IOException {
        Path f = enrolmentTokenFile(tokenId);
        OwnerOnly.write(f, token + "\n");
        return f;
    }

    public Path enrolmentTokenFile(String tokenId) {
        return dir.resolve(tokenId + ".enrol-token");
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

    @Override
    public String toString() {
        return "DemoSecrets[" + dir + "]"; // never the tokens
    }
}
