package io.c2f.agent.bundle;

import io.c2f.agent.fs.AtomicFiles;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.BundleVerificationException;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A resumable download of one bundle payload: only verified chunks are kept on disk, one file
 * each, so after a disconnect or a restart the device asks only for what it still lacks.
 */
public final class ChunkDownload {
    private final Path dir;
    private final BundleManifest manifest;

    /**
     * Opens (or resumes) the download of a manifest's payload under {@code downloads/<bundle_id>}.
     * A download dir left by a different manifest with the same id is discarded.
     */
    public ChunkDownload(Path downloadsRoot, SignedManifest signed, BundleManifest manifest) throws IOException {
        this.manifest = manifest;
        this.dir = downloadsRoot.resolve(manifest.getBundleId());
        Path manifestFile = dir.resolve("manifest.pb");
        if (Files.exists(manifestFile)
                && !java.util.Arrays.equals(Files.readAllBytes(manifestFile), signed.toByteArray())) {
            AtomicFiles.deleteTree(dir);
        }
        Files.createDirectories(dir);
        AtomicFiles.write(manifestFile, signed.toByteArray());
    }

    private Path chunkFile(int index) {
        return dir.resolve(String.format("chunk-%06d", index));
    }

    /** Chunk indices not yet received and verified. */
    public List<Integer> missing() {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < manifest.getChunkCount(); i++) {
            if (!Files.exists(chunkFile(i))) {
                missing.add(i);
            }
        }
        return missing;
    }

    public boolean complete() {
        return missing().isEmpty();
    }

    /**
     * Verifies and stores one chunk.
     *
     * @throws BundleVerificationException if its sha256 or length does not match the manifest
     */
    public void accept(int index, byte[] data) throws BundleVerificationException, IOException {
        BundlePayload.verifyChunk(manifest, index, data);
        AtomicFiles.write(chunkFile(index), data);
    }

    /** The whole payload, chunks re-read and concatenated (callers re-verify it as a whole). */
    public byte[] assemble() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) manifest.getPayloadSize());
        for (int i = 0; i < manifest.getChunkCount(); i++) {
            out.writeBytes(Files.readAllBytes(chunkFile(i)));
        }
        return out.toByteArray();
    }

    /** Removes the download once installed. */
    public void discard() throws IOException {
        AtomicFiles.deleteTree(dir);
    }
}
