package io.c2f.models.tflite;

import java.util.List;
import java.util.stream.Collectors;

/** No link of the delegate chain could run the model; carries every link's outcome. */
class DelegateChainException extends Exception {
    private final List<LinkOutcome> outcomes;

    public DelegateChainException(List<LinkOutcome> outcomes) {
        super("no link of the delegate chain runs the model: "
                + outcomes.stream().map(LinkOutcome::toString).collect(Collectors.joining("; ")));
        this.outcomes = List.copyOf(outcomes);
    }

    public List<LinkOutcome> outcomes() {
        return outcomes;
    }
}
