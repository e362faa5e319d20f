package io.c2f.models.tflite;

import java.util.function.LongConsumer;
import org.tensorflow.lite.Delegate;

/** A TfLiteDelegate* made by native code, with the function that deletes it. Deleted once. */
final class NativeDelegate implements Delegate, AutoCloseable {
    private final long handle;
    private final LongConsumer deleter;
    private boolean deleted;

    public NativeDelegate(long handle, LongConsumer deleter) {
        if (handle == 0) {
            throw new IllegalArgumentException("a native delegate handle cannot be NULL");
        }
        this.handle = handle;
        this.deleter = deleter;
    }

    @Override
    public synchronized long getNativeHandle() {
        if (deleted) {
            throw new IllegalStateException("native delegate 0x" + Long.toHexString(handle) + " was deleted");
        }
        return handle;
    }

    public synchronized boolean isDeleted() {
        return deleted;
    }

    @Override
    public synchronized void close() {
        if (!deleted) {
            deleted = true;
            deleter.accept(handle);
        }
    }
}
