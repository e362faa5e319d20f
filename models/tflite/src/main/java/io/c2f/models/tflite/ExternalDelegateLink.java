package io.c2f.models.tflite;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.tensorflow.lite.Interpreter;

/**
 * A TFLite delegate from a native library named by configuration, e.g. the GPU delegate
 * ({@code TfLiteGpuDelegateV2Create} / {@code TfLiteGpuDelegateV2Delete}) or a vendor NPU
 * delegate. The library is loaded through JNA; the create function is called with one argument,
 * an options pointer (NULL by default: the delegate's own defaults), and must return a
 * {@code TfLiteDelegate*}; the delete function receives that pointer when the interpreter is gone.
 */
final class ExternalDelegateLink implements DelegateLink {
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Builds the options struct passed to the create function; may return null (NULL options). */
    @FunctionalInterface
    public interface OptionsFactory {
        Pointer create(NativeLibrary library);
    }

    private final String name;
    private final Path library;
    private final String createSymbol;
    private final String deleteSymbol;
    private final OptionsFactory optionsFactory;

    public ExternalDelegateLink(String name, Path library, String createSymbol, String deleteSymbol) {
        this(name, library, createSymbol, deleteSymbol, lib -> null);
    }

    public ExternalDelegateLink(String name, Path library, String createSymbol, String deleteSymbol,
            OptionsFactory optionsFactory) {
        this.name = Objects.requireNonNull(name, "name");
        this.library = Objects.requireNonNull(library, "library");
        this.createSymbol = requireSymbol(createSymbol);
        this.deleteSymbol = requireSymbol(deleteSymbol);
        this.optionsFactory = Objects.requireNonNull(optionsFactory, "optionsFactory");
    }

    private static String requireSymbol(String symbol) {
        if (symbol == null || !SYMBOL.matcher(symbol).matches()) {
            throw new IllegalArgumentException("not a C symbol name: \"" + symbol + "\"");
        }
        return symbol;
    }

    @Override
    public String name() {
        return name;
    }

    public Path library() {
        return library;
    }

    public String createSymbol() {
        return createSymbol;
    }

    public String deleteSymbol() {
        return deleteSymbol;
    }

    @Override
    public LinkAttempt prepare(int threads) throws LinkException {
        NativeLibrary lib = load();
        Function create = symbol(lib, createSymbol);
        Function delete = symbol(lib, deleteSymbol);
        Pointer options = optionsFactory.create(lib);
        Pointer handle = create.invokePointer(new Object[] {options});
        if (handle == null) {
            throw LinkException.failed(createSymbol + "(" + (options == null ? "NULL" : "options") + ") in " + library
                    + " returned NULL");
        }
        NativeDelegate delegate = new NativeDelegate(Pointer.nativeValue(handle),
                h -> delete.invokeVoid(new Object[] {new Pointer(h)}));
        // The runtime's own XNNPACK must stay off: it would claim the nodes before this delegate.
        Interpreter.Options interpreterOptions = new Interpreter.Options().setNumThreads(threads).setUseXNNPACK(false);
        return LinkAttempt.withDelegate(interpreterOptions, delegate);
    }

    @Override
    public Optional<String> unavailableReason() {
        try {
            NativeLibrary lib = load();
            symbol(lib, createSymbol);
            symbol(lib, deleteSymbol);
            return Optional.empty();
        } catch (LinkException e) {
            return Optional.of(e.getMessage());
        }
    }

    private NativeLibrary load() throws LinkException {
        if (library.isAbsolute() && !Files.isRegularFile(library)) {
            throw LinkException.unavailable("library " + library + " not found");
        }
        try {
            return NativeLibrary.getInstance(library.toString());
        } catch (UnsatisfiedLinkError e) {
            throw LinkException.unavailable("library " + library + " cannot be loaded: "
                    + TfliteModelFile.firstLine(e.getMessage()), e);
        }
    }

    private Function symbol(NativeLibrary lib, String symbol) throws LinkException {
        try {
            return lib.getFunction(symbol);
        } catch (UnsatisfiedLinkError e) {
            throw LinkException.unavailable("symbol " + symbol + " missing in " + library, e);
        }
    }

    @Override
    public String toString() {
        return name + ":" + library + ":" + createSymbol + ":" + deleteSymbol;
    }
}
