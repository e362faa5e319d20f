package io.c2f.models.data;

import io.c2f.models.tensor.ImageBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line: prepares a dataset for training.
 *
 * <pre>
 * PrepareData --source emoji|icons|fashion-mnist|cifar10 [--input PATH] --out DIR [--limit N] [--all-emoji]
 * </pre>
 * Writes into DIR: {@code train-32x32.c2fd}, {@code heldout-32x32.c2fd} (uint8), {@code train-16x16.c2fd},
 * {@code heldout-16x16.c2fd} (float32, 2x2 average pooled), {@code manifest.json} and {@code preview.png}
 * (the first 256 train images, 16x16 grid, 2x zoom), and for labelled sources (CIFAR-10, Fashion-MNIST)
 * {@code train-labels.u8} / {@code heldout-labels.u8}: one raw unsigned byte per image, same order. {@code --input} defaults to where the Debian
 * package installs the source. {@code --limit N} keeps the first N source images.
 */
public final class PrepareData {
    private PrepareData() {}

    /** What a run produced. */
    public record Outcome(DatasetManifest manifest, Path directory, List<String> warnings) {}

    public static void main(String[] args) throws IOException {
        DatasetSource source = null;
        Path input = null;
        Path out = null;
        int limit = Integer.MAX_VALUE;
        boolean allEmoji = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--source" -> source = DatasetSource.fromCli(value(args, ++i, a));
                case "--input" -> input = Path.of(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--limit" -> limit = Integer.parseInt(value(args, ++i, a));
                case "--all-emoji" -> allEmoji = true;
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (source == null || out == null) {
            System.err.println("usage: PrepareData --source emoji|icons|fashion-mnist|cifar10 [--input PATH] --out DIR"
                    + " [--limit N] [--all-emoji]");
            System.exit(2);
        }
        if (input == null) {
            if (source.defaultInput() == null) {
                throw new IllegalArgumentException("--input is required for --source " + source.cliName());
            }
            input = source.defaultInput();
        }
        run(source, input, out, limit, allEmoji, System.out::println);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    public interface Progress {
        void report(String line);
    }

    public static Outcome run(DatasetSource source, Path input, Path out, int limit, boolean allEmoji, Progress progress)
            throws IOException {
        long t0 = System.nanoTime();
        progress.report("reading " + source.cliName() + " from " + input);
        List<SourceImage> images;
        List<String> warnings = new ArrayList<>();
        int skipped = 0;
        String selection;
        switch (source) {
            case EMOJI -> {
                NotoEmojiLoader.Selection sel = allEmoji ? NotoEmojiLoader.Selection.ALL_BITMAPS
                        : NotoEmojiLoader.Selection.BASE_EMOJI;
                images = NotoEmojiLoader.load(input, sel);
                selection = allEmoji ? "all bitmaps of the largest strike"
                        : "base emoji: glyphs the cmap maps from one emoji code point (no ZWJ sequences, skin tones,"
                        + " flags, keycaps, components)";
            }
            case ICONS -> {
                IconThemeLoader.Result r = IconThemeLoader.load(input, DatasetPreparer.SIZE);
                images = r.images();
                skipped = r.skipped();
                warnings.addAll(r.warnings());
                selection = "one PNG per icon name, largest size available; " + r.tooSmall()
                        + " icons only available below 32x32 left out";
            }
            case FASHION_MNIST -> {
                images = Files.isDirectory(input) ? FashionMnistLoader.loadDirectory(input)
                        : FashionMnistLoader.load(input, Path.of(input.toString().replace("images-idx3", "labels-idx1")),
                        input.getFileName().toString().split("-")[0]);
                selection = "train then t10k, in file order";
            }
            case CIFAR10 -> {
                images = Files.isDirectory(input) ? Cifar10Loader.loadDirectory(input) : Cifar10Loader.loadBatch(input);
                selection = "data_batch_1..5 then test_batch, in file order";
            }
            default -> throw new IllegalStateException(source.toString());
        }
        if (images.size() > limit) {
            images = images.subList(0, limit);
        }
        if (limit != Integer.MAX_VALUE) {
            selection += "; first " + limit;
        }
        for (String w : warnings) {
            progress.report("warning: " + w);
        }
        progress.report(String.format("loaded %d images (%d skipped) in %.1f s", images.size(), skipped,
                (System.nanoTime() - t0) / 1e9));

        PreparedDataset data = DatasetPreparer.prepare(images);
        progress.report(String.format("prepared: %d train, %d held out, %d duplicates removed (%.1f s)",
                data.train().size(), data.heldOut().size(), data.duplicatesRemoved(), (System.nanoTime() - t0) / 1e9));

        Files.createDirectories(out);
        List<DatasetManifest.FileEntry> files = new ArrayList<>();
        writePart(out, "train", data.train(), files);
        writePart(out, "heldout", data.heldOut(), files);
        Path preview = out.resolve("preview.png");
        PreviewGrid.write(preview, data.train(), 16, 16, 2);

        String pkg = source.packageOf(input);
        DatasetManifest manifest = new DatasetManifest(source.cliName(), input.toAbsolutePath().toString(), pkg,
                DatasetSource.packageVersion(pkg), source.licence(), selection, images.size(), skipped,
                data.duplicatesRemoved(), data.train().size(), data.heldOut().size(), files);
        Path manifestFile = out.resolve("manifest.json");
        Files.writeString(manifestFile, manifest.toJson(), StandardCharsets.UTF_8);
        for (DatasetManifest.FileEntry f : files) {
            progress.report("wrote " + out.resolve(f.name()) + " (" + f.count() + " x " + f.height() + "x" + f.width()
                    + "x" + f.channels() + " " + f.dtype() + ", sha256 " + f.sha256() + ")");
        }
        progress.report("wrote " + preview);
        progress.report("wrote " + manifestFile + " (package " + pkg + " " + manifest.packageVersion() + ")");
        progress.report(String.format("done in %.1f s", (System.nanoTime() - t0) / 1e9));
        return new Outcome(manifest, out, warnings);
    }

    private static void writePart(Path dir, String part, List<PreparedImage> images,
                                  List<DatasetManifest.FileEntry> files) throws IOException {
        if (images.isEmpty()) {
            return; // a part with no images gets no file: the format has no empty tensors
        }
        Path full = dir.resolve(part + "-32x32.c2fd");
        PreparedTensorFile.writeUint8(full, images);
        files.add(new DatasetManifest.FileEntry(full.getFileName().toString(), part, images.size(), 32, 32, 3, "uint8",
                sha256(full)));
        if (images.get(0).label() != SourceImage.NO_LABEL) {
            // class labels, one unsigned byte per image in the same order, no header
            Path labels = dir.resolve(part + "-labels.u8");
            byte[] bytes = new byte[images.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) images.get(i).label();
            }
            Files.write(labels, bytes);
            files.add(new DatasetManifest.FileEntry(labels.getFileName().toString(), part, images.size(), 1, 1, 1,
                    "label-uint8-raw", sha256(labels)));
        }
        ImageBatch low = DatasetPreparer.avgPool2x2(PreparedDataset.toBatch(images));
        Path half = dir.resolve(part + "-16x16.c2fd");
        PreparedTensorFile.writeFloat32(half, low);
        files.add(new DatasetManifest.FileEntry(half.getFileName().toString(), part, images.size(), 16, 16, 3, "float32",
                sha256(half)));
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return DatasetPreparer.hex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
