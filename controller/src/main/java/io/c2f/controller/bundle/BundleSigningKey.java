package io.c2f.controller.bundle;

import io.c2f.proto.bundle.Ed25519Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;

/**
 * The controller's Ed25519 bundle-signing key, created on first start under
 * {@code {dataDir}/keys} (private key readable by the owner only). Agents are provisioned with
 * its public key ({@code GET /api/v1/keys/bundle-signing}).
 */
public final class BundleSigningKey {
    private final KeyPair pair;
    private final String keyId;

    private BundleSigningKey(KeyPair pair) {
        this.pair = pair;
        this.keyId = Ed25519Keys.keyId(pair.getPublic());
    }

    /** Loads the key from the data dir, or generates and stores it there. Blocks. */
    public static BundleSigningKey loadOrCreate(Path dataDir) {
        Path dir = dataDir.resolve("keys");
        try {
            if (!Files.exists(dir)) {
                Files.createDirectories(dir);
                try {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException notPosix) {
                    // the private key file itself is still created owner-only where possible
                }
            }
            return new BundleSigningKey(Ed25519Keys.loadOrCreate(dir.resolve("bundle-signing.key"),
                    dir.resolve("bundle-signing.pub")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the bundle-signing key under " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    public KeyPair pair() {
        return pair;
    }

    public String keyId() {
        return keyId;
    }

    /** The public key as PEM (X.509 SubjectPublicKeyInfo), what an agent's controller-key file holds. */
    public String publicPem() {
        return Ed25519Keys.publicPem(pair.getPublic());
    }
}
