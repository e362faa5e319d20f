package io.c2f.models.tflite;

import java.util.Objects;
import org.tensorflow.lite.Interpreter;

/**
 * The interpreter options one link built for one attempt, and the native delegate (if any) they
 * reference. The delegate must outlive every interpreter built with these options.
 */
public final class LinkAttempt implements AutoCloseable {
    private final Interpreter.Options options;
    private final NativeDelegate delegate;

    private LinkAttempt(Interpreter.Options options, NativeDelegate delegate) {
        this.options = Objects.requireNonNull(options, "options");
        this.delegate = delegate;
    }

    public static LinkAttempt of(Interpreter.Options options) {
        return new LinkAttempt(options, null);
    }

    /** Options that use the delegate; the delegate is added to them here. */
    public static LinkAttempt withDelegate(Interpreter.Options options, NativeDelegate delegate) {
        options.addDelegate(Objects.requireNonNull(delegate, "delegate"));
        return new LinkAttempt(options, delegate);
    }

    public Interpreter.Options options() {
        return options;
    }

    /** Deletes the native delegate, if any; call only after the interpreters using it are closed. */
    @Override
    public void close() {
        if (delegate != null) {
            delegate.close();
        }
    }
}
