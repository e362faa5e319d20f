package io.c2f.models.tflite;

import io.c2f.proto.v1.DelegateInfo;
import java.util.List;
import org.tensorflow.lite.Interpreter;

/**
 * An interpreter the {@link DelegateChain} built and probed, the link that runs it, and what every
 * link of the chain did. Closing closes the interpreter first, then deletes its native delegate.
 */
final class OpenedInterpreter implements AutoCloseable {
    private final Interpreter interpreter;
    private final LinkAttempt attempt;
    private final String activeLink;
    private final List<LinkOutcome> outcomes;
    private boolean closed;

    OpenedInterpreter(Interpreter interpreter, LinkAttempt attempt, String activeLink, List<LinkOutcome> outcomes) {
        this.interpreter = interpreter;
        this.attempt = attempt;
        this.activeLink = activeLink;
        this.outcomes = List.copyOf(outcomes);
    }

    public Interpreter interpreter() {
        if (closed) {
            throw new IllegalStateException("interpreter (" + activeLink + ") is closed");
        }
        return interpreter;
    }

    /** The name of the link that runs the model. */
    public String activeLink() {
        return activeLink;
    }

    /** One outcome per link of the chain, in chain order. */
    public List<LinkOutcome> outcomes() {
        return outcomes;
    }

    public List<DelegateInfo> delegateInfos() {
        return LinkOutcome.toProto(outcomes);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                interpreter.close();
            } finally {
                attempt.close();
            }
        }
    }
}
