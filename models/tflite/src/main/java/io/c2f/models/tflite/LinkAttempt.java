package io.c2f.models.tflite;

import java.util.Objects;
import org.tensorflow.lite.Interpreter;

/**
 * The interpreter options one link built for one attempt, and how to release what they reference
 * (a native delegate must outlive every interpreter built with these options).
 */
final class LinkAttempt implements AutoCloseable {
    private final Interpreter.Options options;
    private final Runnable release;
    private boolean released;

    private LinkAttempt(Interpreter.Options options, Runnable release) {
        this.options = Objects.requireNonNull(options, "options");
        this.release = Objects.requireNonNull(release, "release");
    }

    /** Options that hold nothing native. */
    public static LinkAttempt of(Interpreter.Options options) {
        return new LinkAttempt(options, () -> {
        });
    }

    /** Options that use the delegate (added to them here); closing the attempt deletes it. */
    public static LinkAttempt withDelegate(Interpreter.Options options, NativeDelegate delegate) {
        options.addDelegate(Objects.requireNonNull(delegate, "delegate"));
        return new LinkAttempt(options, delegate::close);
    }

    /** The same options, running {@code beforeRelease} first when closed (for wrapping links). */
    public LinkAttempt onClose(Runnable beforeRelease) {
        return new LinkAttempt(options, () -> {
            beforeRelease.run();
            close();
        });
    }

    public Interpreter.Options options() {
        return options;
    }

    /** Releases what the options reference; call only after the interpreters using them are closed. */
    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            release.run();
        }
    }
}
