package io.c2f.proto.bundle;

import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.BundleManifest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bundle payload: its files concatenated in manifest order, split into fixed-size chunks.
 * Builds the payload part of a manifest, and checks chunks and payloads against one.
 */
public final class BundlePayload {
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");

    private final byte[] bytes;
    private final int chunkSize;

    private BundlePayload(byte[] bytes, int chunkSize) {
        this.bytes = bytes;
        this.chunkSize = chunkSize;
    }

    /**
     * Packs files (path -> content, in iteration order) and fills files, chunk and payload fields
     * of the manifest builder.
     */
    public static BundlePayload pack(Map<String, byte[]> files, int chunkSize, BundleManifest.Builder manifest) {
        if (chunkSize < 1024) {
            throw new IllegalArgumentException("chunk size must be at least 1024 bytes, got " + chunkSize);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        manifest.clearFiles().clearChunkSha256();
        for (var e : files.entrySet()) {
            checkPath(e.getKey());
            manifest.addFiles(BundleFile.newBuilder().setPath(e.getKey()).setSha256(Sha256.hex(e.getValue()))
                    .setSizeBytes(e.getValue().length));
            out.writeBytes(e.getValue());
        }
        BundlePayload payload = new BundlePayload(out.toByteArray(), chunkSize);
        manifest.setChunkSize(chunkSize).setChunkCount(payload.chunkCount())
                .setPayloadSize(payload.bytes.length).setPayloadSha256(Sha256.hex(payload.bytes));
        for (int i = 0; i < payload.chunkCount(); i++) {
            manifest.addChunkSha256(Sha256.hex(payload.bytes, i * chunkSize, payload.chunkLength(i)));
        }
        return payload;
    }

    public int chunkCount() {
        return Math.max(1, (bytes.length + chunkSize - 1) / chunkSize);
    }

    private int chunkLength(int index) {
        return Math.min(chunkSize, bytes.length - index * chunkSize);
    }

    public byte[] chunk(int index) {
        if (index < 0 || index >= chunkCount()) {
            throw new IndexOutOfBoundsException("chunk " + index + " of " + chunkCount());
        }
        return Arrays.copyOfRange(bytes, index * chunkSize, index * chunkSize + chunkLength(index));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Checks one received chunk against the manifest. */
    public static void verifyChunk(BundleManifest manifest, int index, byte[] data) throws BundleVerificationException {
        verifyChunk(manifest, index, data, 0, data.length);
    }

    /**
     * {@link #verifyChunk(BundleManifest, int, byte[])} for a chunk that lies in {@code data} at
     * {@code offset}, {@code length} bytes long (e.g. read straight into its place in the payload).
     */
    public static void verifyChunk(BundleManifest manifest, int index, byte[] data, int offset, int length)
            throws BundleVerificationException {
        if (index < 0 || index >= manifest.getChunkCount() || index >= manifest.getChunkSha256Count()) {
            throw new BundleVerificationException("chunk index " + index + " is outside 0.." + (manifest.getChunkCount() - 1)
                    + " of bundle " + manifest.getBundleId());
        }
        long expectedLength = index < manifest.getChunkCount() - 1 ? manifest.getChunkSize()
                : manifest.getPayloadSize() - (long) index * manifest.getChunkSize();
        if (length != expectedLength) {
            throw new BundleVerificationException("chunk " + index + " of bundle " + manifest.getBundleId() + " has "
                    + length + " bytes, the manifest says " + expectedLength);
        }
        String actual = Sha256.hex(data, offset, length);
        if (!actual.equals(manifest.getChunkSha256(index))) {
            throw new BundleVerificationException("chunk " + index + " of bundle " + manifest.getBundleId()
                    + " has sha256 " + actual + ", the manifest says " + manifest.getChunkSha256(index));
        }
    }

    /** Where each of the manifest's files starts in the payload, in manifest order. */
    public static long[] fileOffsets(BundleManifest manifest) {
        long[] offsets = new long[manifest.getFilesCount()];
        long at = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = at;
            at += manifest.getFiles(i).getSizeBytes();
        }
        return offsets;
    }

    /**
     * The chunks whose every byte lies in the given files (indices into the manifest's files): the
     * chunks a device holding those files need not fetch. A chunk that also holds bytes of another
     * file, or bytes past the files, is not among them.
     */
    public static BitSet chunksCoveredBy(BundleManifest manifest, BitSet files) {
        BitSet covered = new BitSet(manifest.getChunkCount());
        long[] offsets = fileOffsets(manifest);
        long chunkSize = manifest.getChunkSize();
        long payloadSize = manifest.getPayloadSize();
        for (int chunk = 0; chunk < manifest.getChunkCount() && chunkSize > 0; chunk++) {
            long from = chunk * chunkSize;
            long to = Math.min(payloadSize, from + chunkSize);
            covered.set(chunk, from < to && coveredRange(manifest, offsets, files, from, to));
        }
        return covered;
    }

    /** Whether [from, to) of the payload lies wholly in files of the set (the files are contiguous, in order). */
    private static boolean coveredRange(BundleManifest manifest, long[] offsets, BitSet files, long from, long to) {
        long at = from;
        for (int f = 0; f < offsets.length && at < to; f++) {
            long end = offsets[f] + manifest.getFiles(f).getSizeBytes();
            if (end <= at) {
                continue;
            }
            if (!files.get(f)) {
                return false;
            }
            at = end;
        }
        return at >= to;
    }

    /**
     * Checks a whole payload and splits it into its files (path -> content, manifest order).
     */
    public static List<Map.Entry<String, byte[]>> unpack(BundleManifest manifest, byte[] payload)
            throws BundleVerificationException {
        if (payload.length != manifest.getPayloadSize()) {
            throw new BundleVerificationException("payload of bundle " + manifest.getBundleId() + " has "
                    + payload.length + " bytes, the manifest says " + manifest.getPayloadSize());
        }
        String actual = Sha256.hex(payload);
        if (!actual.equals(manifest.getPayloadSha256())) {
            throw new BundleVerificationException("payload of bundle " + manifest.getBundleId() + " has sha256 "
                    + actual + ", the manifest says " + manifest.getPayloadSha256());
        }
        List<Map.Entry<String, byte[]>> files = new ArrayList<>();
        int offset = 0;
        for (BundleFile f : manifest.getFilesList()) {
            try {
                checkPath(f.getPath());
            } catch (IllegalArgumentException e) {
                throw new BundleVerificationException(e.getMessage());
            }
            if (f.getSizeBytes() > payload.length - offset) {
                throw new BundleVerificationException("file " + f.getPath() + " (" + f.getSizeBytes()
                        + " bytes) runs past the end of the payload");
            }
            byte[] content = Arrays.copyOfRange(payload, offset, offset + (int) f.getSizeBytes());
            offset += (int) f.getSizeBytes();
            String sha = Sha256.hex(content);
            if (!sha.equals(f.getSha256())) {
                throw new BundleVerificationException("file " + f.getPath() + " has sha256 " + sha
                        + ", the manifest says " + f.getSha256());
            }
            files.add(Map.entry(f.getPath(), content));
        }
        if (offset != payload.length) {
            throw new BundleVerificationException("payload has " + (payload.length - offset)
                    + " bytes beyond the files the manifest lists");
        }
        return files;
    }

    private static void checkPath(String path) {
        if (!SAFE_PATH.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException("bundle file path '" + path
                    + "' must be relative, of [A-Za-z0-9_.-] segments, without '..'");
        }
    }
}
