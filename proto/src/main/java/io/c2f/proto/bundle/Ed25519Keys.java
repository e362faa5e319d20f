package io.c2f.proto.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys for bundle signing (the JDK's own provider), stored as PEM: the private key
 * PKCS#8 with owner-only permissions, the public key X.509 SubjectPublicKeyInfo.
 */
public final class Ed25519Keys {
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks Ed25519", e);
        }
    }

    /** First 8 bytes of sha256 of the encoded public key, hex: names the key in signatures. */
    public static String keyId(PublicKey key) {
        return HexFormat.of().formatHex(Sha256.digest().digest(key.getEncoded()), 0, 8);
    }

    /** Loads the key pair from {@code dir}, or generates and stores one there on first use. */
    public static KeyPair loadOrCreate(Path privateKeyFile, Path publicKeyFile) throws IOException {
        if (Files.exists(privateKeyFile)) {
            return new KeyPair(readPublic(publicKeyFile), readPrivate(privateKeyFile));
        }
        KeyPair pair = generate();
        Files.createDirectories(privateKeyFile.toAbsolutePath().getParent());
        Path tmp = privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, pem(PRIVATE, pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.move(tmp, privateKeyFile, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(publicKeyFile, pem(PUBLIC, pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        return pair;
    }

    public static String publicPem(PublicKey key) {
        return pem(PUBLIC, key.getEncoded());
    }

    public static PublicKey readPublic(Path file) throws IOException {
        return parsePublic(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    public static PublicKey parsePublic(String pem, String source) throws IOException {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(unpem(pem, PUBLIC, source)));
        } catch (GeneralSecurityException e) {
            throw new IOException(source + " is not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(unpem(pem, PRIVATE, file.toString())));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(String pem, String type, String source) throws IOException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(source + " has no '" + begin + "' block");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(source + " has a malformed base64 body: " + ex.getMessage(), ex);
        }
    }
}
