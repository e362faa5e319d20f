package io.c2f.agent.bundle;

import io.c2f.agent.fs.AtomicFiles;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.BundleVerificationException;
import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A resumable download of one bundle payload: only verified chunks are kept on disk, one file
 * each, so after a disconnect or a restart the device asks only for what it still lacks.
 *
 * <p>What is on disk is not trusted across time: opening a download re-verifies every stored
 * chunk (length, then sha256 against the manifest) and discards the ones that no longer match,
 * and {@link #assemble} checks each chunk again as it reads it. A chunk damaged on disk is then
 * fetched again instead of failing the whole install.
 *
 * <p>Because of that re-verification a chunk is written without fsync (temp file, then rename, so
 * no reader sees half a chunk while the agent runs): a chunk a power cut leaves torn is discarded
 * on the next open and fetched again, and the installed bundle is fsynced by {@link BundleStore}.
 * Per-chunk fsyncs (two per 64 KiB) were most of a simulated fleet's disk time in a rollout
 * (issue 18). Which chunks are stored is kept in memory, so the download loop's frequent
 * {@link #missing()} calls touch no file.
 *
 * <p><b>Deltas.</b> Opened with the files the device already holds ({@link HeldFiles}), a download
 * reuses every file of the manifest whose sha256 one of them hashes to: the chunks wholly inside
 * reused files ({@link BundlePayload#chunksCoveredBy}) are never asked for, and {@link #assemble}
 * reads the reused files into their places in the payload, re-hashing them as it reads. A reused
 * file that no longer hashes right there is dropped from the plan and its chunks count as missing
 * again (fetched, as a damaged stored chunk is). The plan is made anew at every open from what the
 * slots hold then, so a restart mid-delta resumes from the stored chunks and the files still held.
 */
final class ChunkDownload {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkDownload.class);
    private static final String CHUNK_PREFIX = "chunk-";

    private final Path dir;
    private final BundleManifest manifest;
    private final List<Integer> discardedOnOpen;
    /** Chunks stored and verified, by index; every change to the chunk files goes through this class. */
    private final BitSet stored;
    /** Per manifest file, the held file reused for it (verified when planned), or null: fetched. */
    private final Path[] reused;
    /** Chunks wholly inside reused files: never asked for. */
    private BitSet covered;

    /**
     * Opens (or resumes) the download of a manifest's payload under {@code downloads/<bundle_id>}.
     * A download dir left by a different manifest with the same id is discarded; stored chunks
     * that do not verify are deleted (see {@link #discardedOnOpen}).
     */
    public ChunkDownload(Path downloadsRoot, SignedManifest signed, BundleManifest manifest) throws IOException {
        this(downloadsRoot, signed, manifest, HeldFiles.NONE);
    }

    /**
     * As {@link #ChunkDownload(Path, SignedManifest, BundleManifest)}, reusing the files of
     * {@code held} whose bytes hash to a manifest file's sha256 (see the class comment).
     */
    ChunkDownload(Path downloadsRoot, SignedManifest signed, BundleManifest manifest, HeldFiles held)
            throws IOException {
        this.manifest = manifest;
        this.dir = downloadsRoot.resolve(manifest.getBundleId());
        Path manifestFile = dir.resolve("manifest.pb");
        if (Files.exists(manifestFile)
                && !java.util.Arrays.equals(Files.readAllBytes(manifestFile), signed.toByteArray())) {
            AtomicFiles.deleteTree(dir);
        }
        Files.createDirectories(dir);
        AtomicFiles.write(manifestFile, signed.toByteArray());
        this.stored = new BitSet(manifest.getChunkCount());
        this.discardedOnOpen = List.copyOf(reverify());
        this.reused = new Path[manifest.getFilesCount()];
        for (int f = 0; f < reused.length; f++) {
            BundleFile file = manifest.getFiles(f);
            if (file.getSizeBytes() > 0) {
                reused[f] = held.verified(file.getSha256(), file.getSizeBytes()).orElse(null);
            }
        }
        this.covered = BundlePayload.chunksCoveredBy(manifest, reusedFiles());
        if (!covered.isEmpty()) {
            LOG.info("{}: reusing {} of {} file(s) held locally, which cover {} of {} chunks; {} to fetch",
                    manifest.getBundleId(), reusedFiles().cardinality(), reused.length, covered.cardinality(),
                    manifest.getChunkCount(), manifest.getChunkCount() - covered.cardinality());
        }
    }

    private BitSet reusedFiles() {
        BitSet files = new BitSet(reused.length);
        for (int f = 0; f < reused.length; f++) {
            files.set(f, reused[f] != null);
        }
        return files;
    }

    private Path chunkFile(int index) {
        String digits = Integer.toString(index);
        StringBuilder name = new StringBuilder(CHUNK_PREFIX.length() + 6).append(CHUNK_PREFIX);
        for (int pad = digits.length(); pad < 6; pad++) {
            name.append('0');
        }
        return dir.resolve(name.append(digits).toString());
    }

    /** Chunk indices not yet received and verified. */
    public synchronized List<Integer> missing() {
        BitSet have = have();
        List<Integer> missing = new ArrayList<>(manifest.getChunkCount() - have.cardinality());
        for (int i = have.nextClearBit(0); i < manifest.getChunkCount(); i = have.nextClearBit(i + 1)) {
            missing.add(i);
        }
        return missing;
    }

    public synchronized boolean complete() {
        return have().cardinality() == manifest.getChunkCount();
    }

    /** Chunks stored or covered by reused files. */
    private BitSet have() {
        BitSet have = (BitSet) stored.clone();
        have.or(covered);
        return have;
    }

    /** Stored chunks that failed re-verification when this download was opened, and were deleted. */
    public List<Integer> discardedOnOpen() {
        return discardedOnOpen;
    }

    /**
     * Verifies and stores one chunk.
     *
     * @throws BundleVerificationException if its sha256 or length does not match the manifest
     */
    public void accept(int index, byte[] data) throws BundleVerificationException, IOException {
        BundlePayload.verifyChunk(manifest, index, data);
        Path file = chunkFile(index);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        AtomicFiles.move(tmp, file);
        synchronized (this) {
            stored.set(index);
        }
    }

    /**
     * Checks every stored chunk against the manifest (one sha256 pass over what is on disk) and
     * deletes the ones that fail, so they count as missing again. Leftovers of interrupted writes
     * and files that are no chunk of this manifest are removed too.
     *
     * @return the indices of the chunks discarded
     */
    synchronized List<Integer> reverify() throws IOException {
        List<Integer> discarded = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        stored.clear();
        for (int i = 0; i < manifest.getChunkCount(); i++) {
            Path file = chunkFile(i);
            if (!Files.exists(file)) {
                continue;
            }
            String problem = problemWith(i, file);
            if (problem != null) {
                Files.deleteIfExists(file);
                discarded.add(i);
                reasons.add(problem);
            } else {
                stored.set(i);
            }
        }
        removeStrays();
        if (!discarded.isEmpty()) {
            LOG.warn("discarded {} stored chunk(s) of {} that no longer verify, to fetch again: {}", discarded.size(),
                    manifest.getBundleId(), String.join("; ", reasons));
        }
        return discarded;
    }

    /** What is wrong with a stored chunk, or null if it verifies. The length is checked before reading. */
    private String problemWith(int index, Path file) {
        try {
            long expected = expectedLength(index);
            long size = Files.size(file);
            if (size != expected) {
                return "chunk " + index + " has " + size + " bytes on disk, the manifest says " + expected;
            }
            BundlePayload.verifyChunk(manifest, index, Files.readAllBytes(file));
            return null;
        } catch (BundleVerificationException e) {
            return e.getMessage();
        } catch (NoSuchFileException e) {
            return null; // deleted meanwhile: simply missing
        } catch (IOException e) {
            return "chunk " + index + " cannot be read: " + e.getMessage();
        }
    }

    /** The length the manifest implies for a chunk (every chunk is full but the last). */
    private long expectedLength(int index) {
        return index < manifest.getChunkCount() - 1 ? manifest.getChunkSize()
                : manifest.getPayloadSize() - (long) index * manifest.getChunkSize();
    }

    private void removeStrays() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, CHUNK_PREFIX + "*")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!isChunkName(name)) {
                    Files.deleteIfExists(p); // a .tmp of a write cut short, or not ours
                }
            }
        }
    }

    private boolean isChunkName(String name) {
        String digits = name.substring(CHUNK_PREFIX.length());
        if (digits.length() != 6 || !digits.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Integer.parseInt(digits) < manifest.getChunkCount();
    }

    /**
     * The whole payload, each chunk re-read and re-verified as it is concatenated (callers verify
     * the payload as a whole too).
     *
     * @throws ChunksDiscardedException if stored chunks no longer verify; they were deleted and
     *     are missing again
     */
    public synchronized byte[] assemble() throws IOException, ChunksDiscardedException {
        // each chunk is read straight into its place in the payload: one payload-sized array, no copies
        byte[] payload = new byte[Math.toIntExact(manifest.getPayloadSize())];
        List<Integer> discarded = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        readReusedInto(payload, discarded, reasons);
        for (int i = 0; i < manifest.getChunkCount(); i++) {
            if (covered.get(i) || discarded.contains(i)) {
                continue; // from reused files, each checked whole against its sha256; or missing again
            }
            Path file = chunkFile(i);
            int offset = Math.toIntExact((long) i * manifest.getChunkSize());
            String problem;
            try {
                problem = readInto(i, file, payload, offset);
            } catch (NoSuchFileException e) {
                problem = "chunk " + i + " is gone";
            }
            if (problem != null) {
                Files.deleteIfExists(file);
                stored.clear(i);
                discarded.add(i);
                reasons.add(problem);
            }
        }
        if (!discarded.isEmpty()) {
            LOG.warn("{} chunk(s) of {} failed verification before assembly (stored chunks or reused files), "
                    + "to fetch again: {}",
                    discarded.size(), manifest.getBundleId(), String.join("; ", reasons));
            throw new ChunksDiscardedException(manifest.getBundleId(), discarded);
        }
        return payload;
    }

    /**
     * Reads each reused file into its place in the payload and checks it there; a file that no
     * longer hashes right is dropped from the plan, and the chunks it covered and that are not
     * stored are added to {@code discarded} (missing again).
     */
    private void readReusedInto(byte[] payload, List<Integer> discarded, List<String> reasons) {
        long[] offsets = BundlePayload.fileOffsets(manifest);
        boolean dropped = false;
        for (int f = 0; f < reused.length; f++) {
            if (reused[f] == null) {
                continue;
            }
            BundleFile file = manifest.getFiles(f);
            String problem = HeldFiles.readInto(reused[f], file.getSha256(), payload,
                    Math.toIntExact(offsets[f]), Math.toIntExact(file.getSizeBytes()));
            if (problem != null) {
                reused[f] = null;
                dropped = true;
                reasons.add(problem + " (for " + file.getPath() + ")");
            }
        }
        if (dropped) {
            BitSet before = covered;
            covered = BundlePayload.chunksCoveredBy(manifest, reusedFiles());
            for (int i = before.nextSetBit(0); i >= 0; i = before.nextSetBit(i + 1)) {
                if (!covered.get(i) && !stored.get(i)) {
                    discarded.add(i);
                }
            }
        }
    }

    /**
     * Reads a stored chunk into payload at offset and checks it there against the manifest
     * ({@link BundlePayload#verifyChunk}); returns what is wrong, or null.
     */
    private String readInto(int index, Path file, byte[] payload, int offset) throws IOException {
        int expected = Math.toIntExact(expectedLength(index));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != expected) {
                return "chunk " + index + " of bundle " + manifest.getBundleId() + " has " + size
                        + " bytes, the manifest says " + expected;
            }
            ByteBuffer into = ByteBuffer.wrap(payload, offset, expected);
            while (into.hasRemaining()) {
                if (ch.read(into) < 0) {
                    return "chunk " + index + " of bundle " + manifest.getBundleId() + " ended after "
                            + (into.position() - offset) + " of " + expected + " bytes";
                }
            }
        }
        try {
            BundlePayload.verifyChunk(manifest, index, payload, offset, expected);
        } catch (BundleVerificationException e) {
            return e.getMessage();
        }
        return null;
    }

    /** Removes the download once installed. */
    public void discard() throws IOException {
        AtomicFiles.deleteTree(dir);
    }
}
