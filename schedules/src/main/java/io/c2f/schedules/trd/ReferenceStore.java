package io.c2f.schedules.trd;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where many-step reference images persist between runs. The reference is the most expensive part
 * of a search (100 batched full-resolution calls per seed set) and depends only on the model, the
 * noise schedule, the reference plan and the seeds, so the tools compute it once per machine and read
 * it back. A stored entry is keyed by the sha256 of all of those; a model without a sha256 is never
 * stored (its identity is unknown).
 */
public interface ReferenceStore {
    /** Keeps nothing. */
    ReferenceStore NONE = new ReferenceStore() {
        @Override
        public Optional<ImageBatch> load(String key) {
            return Optional.empty();
        }

        @Override
        public void save(String key, ImageBatch images) {
        }
    };

    Optional<ImageBatch> load(String key);

    /**
     * The store a tool's {@code --reference-cache} option names: a directory, "none", or (null)
     * the default {@code ~/.cache/c2f/references}.
     */
    static ReferenceStore named(String option) {
        if (option == null) {
            return directory(Path.of(System.getProperty("user.home"), ".cache", "c2f", "references"));
        }
        return option.equals("none") ? NONE : directory(Path.of(option));
    }

    void save(String key, ImageBatch images);

    /**
     * The key of a reference: sha256 over the model's sha256 and a description of everything else
     * the images depend on (noise schedule, reference plan, seeds); empty when the model has none.
     */
    static Optional<String> key(String modelSha256, String description) {
        if (modelSha256 == null || modelSha256.isEmpty()) {
            return Optional.empty();
        }
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((modelSha256 + "\n" + description).getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(d.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /**
     * Files {@code <key>.ref} in a directory: int batch, height, width, channels, then the floats, all
     * big-endian. A file that cannot be read back (truncated, other shape) is an error, not a miss.
     */
    static ReferenceStore directory(Path dir) {
        return new ReferenceStore() {
            @Override
            public Optional<ImageBatch> load(String key) {
                Path f = dir.resolve(key + ".ref");
                if (!Files.isRegularFile(f)) {
                    return Optional.empty();
                }
                try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
                    int b = in.readInt();
                    int h = in.readInt();
                    int w = in.readInt();
                    int c = in.readInt();
                    long n = (long) b * h * w * c;
                    if (b <= 0 || h <= 0 || w <= 0 || c <= 0 || Files.size(f) != 16 + 4 * n) {
                        throw new IOException("corrupt reference file " + f + " (" + b + "x" + h + "x" + w + "x" + c
                                + ", " + Files.size(f) + " bytes); delete it to recompute");
                    }
                    byte[] raw = in.readAllBytes();
                    float[] data = new float[(int) n];
                    ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(data);
                    return Optional.of(new ImageBatch(data, b, new Resolution(h, w), c));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read reference " + f, e);
                }
            }

            @Override
            public void save(String key, ImageBatch images) {
                Path f = dir.resolve(key + ".ref");
                try {
                    Files.createDirectories(dir);
                    Path tmp = Files.createTempFile(dir, key, ".tmp");
                    try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                            Files.newOutputStream(tmp)))) {
                        out.writeInt(images.batch());
                        out.writeInt(images.height());
                        out.writeInt(images.width());
                        out.writeInt(images.channels());
                        ByteBuffer buf = ByteBuffer.allocate(4 * images.data().length).order(ByteOrder.BIG_ENDIAN);
                        buf.asFloatBuffer().put(images.data());
                        out.write(buf.array());
                    }
                    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write reference " + f, e);
                }
            }

            @Override
            public String toString() {
                return dir.toString();
            }
        };
    }
}
