package io.c2f.controller.signing;

import io.c2f.proto.bundle.Ed25519Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's Ed25519 bundle-signing key, created on first start under
 * {@code {dataDir}/keys}: the directory owner-only (0700) and the private key owner-only (0600)
 * wherever the file system has POSIX permissions; looser permissions found at start are
 * tightened. Agents are provisioned with its public key ({@code GET /api/v1/keys/bundle-signing}).
 * {@link KeyPlacement} keeps the directory out of everything the API serves, packs or names.
 */
public final class BundleSigningKey {
    private static final Logger LOG = LoggerFactory.getLogger(BundleSigningKey.class);
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
            }
            ownerOnly(dir, "rwx------");
            Path privateKey = dir.resolve("bundle-signing.key");
            KeyPair pair = Ed25519Keys.loadOrCreate(privateKey, dir.resolve("bundle-signing.pub"));
            ownerOnly(privateKey, "rw-------");
            return new BundleSigningKey(pair);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the bundle-signing key under " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Sets owner-only permissions unless they are already; a file system without POSIX permissions keeps its own. */
    private static void ownerOnly(Path p, String perms) throws IOException {
        Set<PosixFilePermission> wanted = PosixFilePermissions.fromString(perms);
        try {
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (!now.equals(wanted)) {
                LOG.warn("{} had permissions {}; set to {} (the signing key is for this controller only)",
                        p.getFileName(), PosixFilePermissions.toString(now), perms);
                Files.setPosixFilePermissions(p, wanted);
            }
        } catch (UnsupportedOperationException notPosix) {
            LOG.debug("{}: no POSIX permissions on this file system", p.getFileName());
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
