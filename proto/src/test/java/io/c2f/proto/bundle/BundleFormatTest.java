package io.c2f.proto.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleFormatTest {
    private static final KeyPair KEY = Ed25519Keys.generate();

    private static Map<String, byte[]> files() {
        SplittableRandom r = new SplittableRandom(3);
        byte[] model = new byte[10_000];
        r.nextBytes(model);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model);
        files.put("model.json", "{\"name\":\"x\"}".getBytes());
        return files;
    }

    private static BundleManifest.Builder manifest() {
        return BundleManifest.newBuilder().setBundleId("b1").setVersion("1.0.0");
    }

    @Test
    void chunksCoveredByFilesAreThoseWhollyInsideThem() {
        BundleManifest.Builder m = manifest();
        BundlePayload.pack(files(), 4096, m); // model.tflite 0..10000, model.json 10000..10012: chunk 2 straddles
        BundleManifest manifest = m.build();
        java.util.BitSet model = new java.util.BitSet();
        model.set(0);
        assertEquals("{0, 1}", BundlePayload.chunksCoveredBy(manifest, model).toString());
        java.util.BitSet json = new java.util.BitSet();
        json.set(1);
        assertEquals("{}", BundlePayload.chunksCoveredBy(manifest, json).toString());
        java.util.BitSet both = new java.util.BitSet();
        both.set(0, 2);
        assertEquals("{0, 1, 2}", BundlePayload.chunksCoveredBy(manifest, both).toString());
        assertArrayEquals(new long[] {0, 10_000}, BundlePayload.fileOffsets(manifest));
    }

    @Test
    void packSplitVerifyAndUnpack() throws Exception {
        BundleManifest.Builder m = manifest();
        BundlePayload payload = BundlePayload.pack(files(), 4096, m);
        BundleManifest manifest = m.build();
        assertEquals(3, manifest.getChunkCount());
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < payload.chunkCount(); i++) {
            BundlePayload.verifyChunk(manifest, i, payload.chunk(i));
            joined.writeBytes(payload.chunk(i));
        }
        List<Map.Entry<String, byte[]>> out = BundlePayload.unpack(manifest, joined.toByteArray());
        assertEquals("model.tflite", out.get(0).getKey());
        assertArrayEquals(files().get("model.tflite"), out.get(0).getValue());
        assertEquals("model.json", out.get(1).getKey());
    }

    @Test
    void aCorruptedChunkIsNamed() {
        BundleManifest.Builder m = manifest();
        BundlePayload payload = BundlePayload.pack(files(), 4096, m);
        byte[] chunk = payload.chunk(1);
        chunk[10] ^= 1;
        BundleVerificationException e = assertThrows(BundleVerificationException.class,
                () -> BundlePayload.verifyChunk(m.build(), 1, chunk));
        assertTrue(e.getMessage().startsWith("chunk 1 of bundle b1 has sha256 "), e.getMessage());
        assertThrows(BundleVerificationException.class, () -> BundlePayload.verifyChunk(m.build(), 3, chunk));
        assertThrows(BundleVerificationException.class,
                () -> BundlePayload.verifyChunk(m.build(), 2, new byte[5]));
    }

    @Test
    void aPayloadThatDoesNotMatchIsRefused() {
        BundleManifest.Builder m = manifest();
        byte[] bytes = BundlePayload.pack(files(), 4096, m).bytes();
        bytes[0] ^= 1;
        BundleVerificationException e = assertThrows(BundleVerificationException.class,
                () -> BundlePayload.unpack(m.build(), bytes));
        assertTrue(e.getMessage().contains("payload of bundle b1 has sha256"), e.getMessage());
    }

    @Test
    void pathsThatEscapeTheBundleAreRefused() {
        Map<String, byte[]> evil = new LinkedHashMap<>();
        evil.put("../etc/passwd", new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> BundlePayload.pack(evil, 4096, manifest()));
        evil.clear();
        evil.put("/abs", new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> BundlePayload.pack(evil, 4096, manifest()));
    }

    @Test
    void signedManifestsVerifyAndTamperingIsCaught() throws Exception {
        BundleManifest.Builder m = manifest();
        BundlePayload.pack(files(), 4096, m);
        SignedManifest signed = ManifestSigning.sign(m.build(), KEY);
        assertEquals(m.build(), ManifestSigning.verify(signed, KEY.getPublic()));

        byte[] tampered = signed.getManifest().toByteArray();
        tampered[tampered.length - 1] ^= 1;
        SignedManifest bad = signed.toBuilder().setManifest(ByteString.copyFrom(tampered)).build();
        BundleVerificationException e = assertThrows(BundleVerificationException.class,
                () -> ManifestSigning.verify(bad, KEY.getPublic()));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());

        KeyPair other = Ed25519Keys.generate();
        e = assertThrows(BundleVerificationException.class, () -> ManifestSigning.verify(signed, other.getPublic()));
        assertTrue(e.getMessage().contains("this device trusts key"), e.getMessage());

        SignedManifest rsa = signed.toBuilder().setSignature(signed.getSignature().toBuilder().setAlgorithm("RSA"))
                .build();
        assertThrows(BundleVerificationException.class, () -> ManifestSigning.verify(rsa, KEY.getPublic()));
    }

    @Test
    void keysAreStoredOwnerOnlyAndReloaded(@TempDir Path dir) throws Exception {
        Path priv = dir.resolve("keys/bundle-signing.key");
        Path pub = dir.resolve("keys/bundle-signing.pub");
        KeyPair first = Ed25519Keys.loadOrCreate(priv, pub);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        KeyPair again = Ed25519Keys.loadOrCreate(priv, pub);
        assertArrayEquals(first.getPublic().getEncoded(), again.getPublic().getEncoded());
        assertArrayEquals(first.getPrivate().getEncoded(), again.getPrivate().getEncoded());
        Files.writeString(pub, "garbage");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Ed25519Keys.readPublic(pub));
        assertTrue(e.getMessage().contains("has no '-----BEGIN PUBLIC KEY-----' block"), e.getMessage());
    }
}
