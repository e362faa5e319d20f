package io.c2f.models.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.tensorflow.lite.Interpreter;

/**
 * Ordered delegate strategies, tried one after another until one builds an interpreter that passes
 * the probe (the shape of OkHttp's interceptor chain). Every link says why it ran or passed.
 *
 * <p>Each attempt builds a fresh {@link Interpreter}: after a failed {@code allocateTensors} an
 * interpreter must never be used again (it crashed the JVM under XNNPACK).
 *
 * <h2>Spec format</h2>
 * {@link #fromSpec(String)} reads comma-separated links:
 * <ul>
 *   <li>{@code xnnpack}: TFLite's bundled XNNPACK delegate;</li>
 *   <li>{@code cpu}: the plain kernels;</li>
 *   <li>{@code NAME:/abs/path/lib.so:CreateSymbol:DeleteSymbol}: an {@link ExternalDelegateLink}
 *       (create called with NULL options), e.g.
 *       {@code gpu:/usr/lib/libtensorflowlite_gpu_delegate.so:TfLiteGpuDelegateV2Create:TfLiteGpuDelegateV2Delete}.
 *       NAME is lower-case letters, digits, '-' or '_'; the path may itself contain ':'.</li>
 * </ul>
 * Blanks around links are ignored; names must be unique. The default chain is {@code xnnpack,cpu}.
 */
public final class DelegateChain {
    public static final String DEFAULT_SPEC = "xnnpack,cpu";
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]+");

    private final List<DelegateLink> links;

    private DelegateChain(List<DelegateLink> links) {
        if (links.isEmpty()) {
            throw new IllegalArgumentException("a delegate chain needs at least one link");
        }
        Set<String> names = new HashSet<>();
        for (DelegateLink link : links) {
            if (!names.add(link.name())) {
                throw new IllegalArgumentException("delegate chain names link \"" + link.name() + "\" twice");
            }
        }
        this.links = List.copyOf(links);
    }

    static DelegateChain of(List<DelegateLink> links) {
        return new DelegateChain(links);
    }

    static DelegateChain of(DelegateLink... links) {
        return new DelegateChain(List.of(links));
    }

    /** XNNPACK, then the plain kernels. */
    public static DelegateChain defaultChain() {
        return of(new XnnpackLink(), new CpuLink());
    }

    /**
     * Parses a chain spec (see the class comment).
     *
     * @throws IllegalArgumentException naming the link that is malformed
     */
    public static DelegateChain fromSpec(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty delegate chain spec; e.g. \"" + DEFAULT_SPEC + "\"");
        }
        List<DelegateLink> links = new ArrayList<>();
        for (String raw : spec.split(",", -1)) {
            links.add(parseLink(raw.strip(), spec));
        }
        return new DelegateChain(links);
    }

    private static DelegateLink parseLink(String link, String spec) {
        if (link.isEmpty()) {
            throw new IllegalArgumentException("empty link in delegate chain spec \"" + spec + "\"");
        }
        if (link.equals(XnnpackLink.NAME)) {
            return new XnnpackLink();
        }
        if (link.equals(CpuLink.NAME)) {
            return new CpuLink();
        }
        String[] parts = link.split(":", -1);
        if (parts.length < 4) {
            throw new IllegalArgumentException("delegate link \"" + link + "\" is neither " + XnnpackLink.NAME + ", "
                    + CpuLink.NAME + " nor NAME:/path/lib.so:CreateSymbol:DeleteSymbol");
        }
        String name = parts[0];
        if (!NAME.matcher(name).matches() || name.equals(XnnpackLink.NAME) || name.equals(CpuLink.NAME)) {
            throw new IllegalArgumentException("delegate link \"" + link + "\": name \"" + name
                    + "\" must be lower-case [a-z0-9_-]+ and not a built-in link name");
        }
        String path = String.join(":", List.of(parts).subList(1, parts.length - 2));
        if (path.isEmpty() || !Path.of(path).isAbsolute()) {
            throw new IllegalArgumentException("delegate link \"" + link + "\": library path \"" + path
                    + "\" must be absolute");
        }
        try {
            return new ExternalDelegateLink(name, Path.of(path), parts[parts.length - 2], parts[parts.length - 1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("delegate link \"" + link + "\": " + e.getMessage(), e);
        }
    }

    List<DelegateLink> links() {
        return links;
    }

    /**
     * Opens the model on the first link that builds an interpreter passing the probe.
     *
     * @param model the model, a direct buffer (e.g. {@link TfliteModelFile#buffer()}); not consumed
     * @param threads CPU threads per interpreter, at least 1
     * @throws UnsupportedOpException when the model needs an op this runtime lacks (no link can help)
     * @throws DelegateChainException when every link failed; it lists each reason
     */
    OpenedInterpreter open(ByteBuffer model, int threads, InterpreterProbe probe)
            throws DelegateChainException, UnsupportedOpException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(probe, "probe");
        if (!model.isDirect()) {
            throw new IllegalArgumentException("the model must be in a direct buffer (or a mapped file)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        TfliteNative.load();
        List<LinkOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            DelegateLink link = links.get(i);
            LinkAttempt attempt;
            try {
                attempt = link.prepare(threads);
            } catch (LinkException e) {
                outcomes.add(new LinkOutcome(link.name(), e.status(), e.getMessage()));
                continue;
            } catch (RuntimeException | LinkageError e) {
                outcomes.add(new LinkOutcome(link.name(), LinkOutcome.Status.FAILED, "prepare failed: " + describe(e)));
                continue;
            }
            Interpreter interpreter = null;
            try {
                interpreter = new Interpreter(model.duplicate().order(ByteOrder.nativeOrder()), attempt.options());
                probe.probe(interpreter);
                outcomes.add(new LinkOutcome(link.name(), LinkOutcome.Status.ACTIVE, "built and passed the probe"));
                notTried(links.subList(i + 1, links.size()), link.name(), outcomes);
                return new OpenedInterpreter(interpreter, attempt, link.name(), outcomes);
            } catch (Exception | LinkageError e) {
                if (interpreter != null) {
                    interpreter.close();
                }
                attempt.close();
                Optional<String> missingOp = BuiltinOps.missingOp(e.getMessage());
                if (missingOp.isPresent()) {
                    throw new UnsupportedOpException(missingOp.get(), TfliteNative.runtimeVersion(), e);
                }
                String stage = interpreter == null ? "interpreter failed to build" : "probe failed";
                outcomes.add(new LinkOutcome(link.name(), LinkOutcome.Status.FAILED, stage + ": " + describe(e)));
            }
        }
        throw new DelegateChainException(outcomes);
    }

    private static void notTried(List<DelegateLink> rest, String winner, List<LinkOutcome> outcomes) {
        for (DelegateLink link : rest) {
            Optional<String> reason = link.unavailableReason();
            outcomes.add(reason.isPresent()
                    ? new LinkOutcome(link.name(), LinkOutcome.Status.UNAVAILABLE, reason.get())
                    : new LinkOutcome(link.name(), LinkOutcome.Status.AVAILABLE, "not tried: " + winner + " is active"));
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + TfliteModelFile.firstLine(e.getMessage());
    }

    /** The spec that {@link #fromSpec} would parse back into this chain. */
    public String toSpec() {
        return String.join(",", links.stream().map(Object::toString).toList());
    }

    @Override
    public String toString() {
        return "DelegateChain[" + toSpec() + "]";
    }
}
