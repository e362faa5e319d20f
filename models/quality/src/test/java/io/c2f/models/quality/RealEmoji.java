package io.c2f.models.quality;

import io.c2f.models.data.DatasetPreparer;
import io.c2f.models.data.NotoEmojiLoader;
import io.c2f.models.data.PreparedDataset;
import io.c2f.models.tensor.ImageBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;

/**
 * The real 32x32 emoji the shipped model was trained on, prepared as PrepareData does it from Debian's
 * fonts-noto-color-emoji; tests that use it are skipped when the font is not installed.
 */
final class RealEmoji {
    private static PreparedDataset prepared;

    private RealEmoji() {
    }

    static synchronized PreparedDataset assumeInstalled() {
        Assumptions.assumeTrue(Files.exists(NotoEmojiLoader.DEBIAN_FONT), "fonts-noto-color-emoji not installed");
        if (prepared == null) {
            try {
                prepared = DatasetPreparer.prepare(
                        NotoEmojiLoader.load(NotoEmojiLoader.DEBIAN_FONT, NotoEmojiLoader.Selection.BASE_EMOJI));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return prepared;
    }

    /** Images [from, to) of the training part. */
    static ImageBatch train(int from, int to) {
        return PreparedDataset.toBatch(assumeInstalled().train().subList(from, to));
    }

    static ImageBatch heldOut() {
        return PreparedDataset.toBatch(assumeInstalled().heldOut());
    }
}
