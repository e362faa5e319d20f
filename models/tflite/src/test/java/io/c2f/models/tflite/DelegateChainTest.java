package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.Interpreter;

class DelegateChainTest {
    static final String CREATE = "TfLiteXNNPackDelegateCreate";
    static final String DELETE = "TfLiteXNNPackDelegateDelete";
    static Path jni;

    @BeforeAll
    static void loadRuntime() {
        jni = TfliteNative.load();
    }

    /** The runtime's own XNNPACK delegate, reached the way a GPU or vendor delegate would be. */
    static ExternalDelegateLink externalXnnpack(String name) {
        return new ExternalDelegateLink(name, jni, CREATE, DELETE);
    }

    /** Runs the ADD model's signature and checks y = x + c exactly. */
    static InterpreterProbe addProbe() {
        return interpreter -> {
            float[][] y = new float[1][4];
            Map<String, Object> outputs = new HashMap<>();
            outputs.put("y", y);
            interpreter.runSignature(Map.of("x", new float[][] {{1f, -2f, 0.5f, 3f}}), outputs, "add");
            float[] expected = {1.625f, -1.375f, 1.125f, 3.625f};
            for (int i = 0; i < 4; i++) {
                if (y[0][i] != expected[i]) {
                    throw new AssertionError("y[" + i + "] = " + y[0][i] + ", expected " + expected[i]);
                }
            }
        };
    }

    @Test
    void theJniLibraryExportsTheXnnpackDelegateCApi() throws Exception {
        Process nm;
        try {
            nm = new ProcessBuilder("nm", "-D", "--defined-only", jni.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("nm is not installed: " + e.getMessage());
            return;
        }
        String symbols = new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        nm.waitFor();
        assertTrue(symbols.contains(" T " + CREATE), "nm -D lists " + CREATE);
        assertTrue(symbols.contains(" T " + DELETE), "nm -D lists " + DELETE);
    }

    @Test
    void externalDelegateRunsTheModelAndIsDeletedAfterTheInterpreter() throws Exception {
        AtomicReference<Interpreter> built = new AtomicReference<>();
        AtomicBoolean interpreterClosedBeforeDelete = new AtomicBoolean();
        List<String> events = new ArrayList<>();
        ExternalDelegateLink external = externalXnnpack("ext-xnnpack");
        // Wraps the real link to observe the order of close() against the interpreter's life.
        DelegateLink observed = new DelegateLink() {
            @Override
            public String name() {
                return external.name();
            }

            @Override
            public LinkAttempt prepare(int threads) throws LinkException {
                return external.prepare(threads).onClose(() -> {
                    events.add("delete");
                    try {
                        built.get().getInputTensorCount();
                    } catch (IllegalStateException closed) {
                        interpreterClosedBeforeDelete.set(true);
                    }
                });
            }
        };
        DelegateChain chain = DelegateChain.of(observed, new XnnpackLink(), new CpuLink());
        OpenedInterpreter opened = chain.open(TestModels.add().toBuffer(), 1, interpreter -> {
            built.set(interpreter);
            addProbe().probe(interpreter);
        });
        assertEquals("ext-xnnpack", opened.activeLink());
        assertEquals(List.of(
                new LinkOutcome("ext-xnnpack", LinkOutcome.Status.ACTIVE, "built and passed the probe"),
                new LinkOutcome("xnnpack", LinkOutcome.Status.AVAILABLE, "not tried: ext-xnnpack is active"),
                new LinkOutcome("cpu", LinkOutcome.Status.AVAILABLE, "not tried: ext-xnnpack is active")),
                opened.outcomes());
        addProbe().probe(opened.interpreter());
        assertTrue(events.isEmpty());
        opened.close();
        assertEquals(List.of("delete"), events);
        assertTrue(interpreterClosedBeforeDelete.get(), "the interpreter was closed before the delegate was deleted");
        opened.close();
        assertEquals(List.of("delete"), events, "close is idempotent");
    }

    @Test
    void externalDelegateRunsAConvNumerically() throws Exception {
        TestModels.ConvWeights w = TestModels.ConvWeights.random(8, 16, 7);
        float[] x = TestModels.randomInput(6 * 6 * 8, 11);
        float[] expected = w.forward(x, 1, 6, 6);
        try (OpenedInterpreter opened = DelegateChain.of(externalXnnpack("ext"), new CpuLink())
                .open(TestModels.conv(w, 1, 6, 6).toBuffer(), 1, InterpreterProbe.zeros())) {
            assertEquals("ext", opened.activeLink());
            float err = TestModels.maxAbsDiff(expected, TestModels.run(opened.interpreter(), x));
            System.out.println("conv3x3 8->16 6x6 on external XNNPACK delegate: max abs error " + err);
            assertTrue(err < 1e-4f, "max abs error " + err);
        }
    }

    @Test
    void missingLibraryMissingSymbolAndNullDelegateFallThrough() throws Exception {
        Path libc = mappedLibc();
        DelegateChain chain = DelegateChain.of(
                new ExternalDelegateLink("gpu", Path.of("/nonexistent/libfoo.so"), "TfLiteGpuDelegateV2Create",
                        "TfLiteGpuDelegateV2Delete"),
                new ExternalDelegateLink("nosym", jni, "TfLiteGpuDelegateV2Create", "TfLiteGpuDelegateV2Delete"),
                // getauxval(0) returns 0: a real native create function that answers NULL.
                new ExternalDelegateLink("nulldelegate", libc, "getauxval", "free"),
                new CpuLink());
        try (OpenedInterpreter opened = chain.open(TestModels.add().toBuffer(), 1, addProbe())) {
            assertEquals("cpu", opened.activeLink());
            List<LinkOutcome> outcomes = opened.outcomes();
            outcomes.forEach(o -> System.out.println("outcome: " + o));
            assertEquals(new LinkOutcome("gpu", LinkOutcome.Status.UNAVAILABLE,
                    "library /nonexistent/libfoo.so not found"), outcomes.get(0));
            assertEquals(new LinkOutcome("nosym", LinkOutcome.Status.UNAVAILABLE,
                    "symbol TfLiteGpuDelegateV2Create missing in " + jni), outcomes.get(1));
            assertEquals(new LinkOutcome("nulldelegate", LinkOutcome.Status.FAILED,
                    "getauxval(NULL) in " + libc + " returned NULL"), outcomes.get(2));
            assertEquals(LinkOutcome.Status.ACTIVE, outcomes.get(3).status());

            List<DelegateInfo> infos = opened.delegateInfos();
            assertEquals(DelegateStatus.DELEGATE_STATUS_UNAVAILABLE, infos.get(0).getStatus());
            assertEquals("library /nonexistent/libfoo.so not found", infos.get(0).getReason());
            assertEquals(DelegateStatus.DELEGATE_STATUS_FAILED, infos.get(2).getStatus());
            assertEquals(DelegateStatus.DELEGATE_STATUS_ACTIVE, infos.get(3).getStatus());
            assertEquals("cpu", infos.get(3).getName());
        }
    }

    /** The C library this JVM runs on, as mapped into the process. */
    static Path mappedLibc() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .filter(path -> path.matches("/.*/libc(-[0-9.]+)?\\.so(\\.6)?"))
                .findFirst().map(Path::of)
                .orElseThrow(() -> new AssertionError("no libc in /proc/self/maps"));
    }

    @Test
    void linksNotTriedReportWhetherTheyCouldRun() throws Exception {
        DelegateChain chain = DelegateChain.of(new CpuLink(),
                new ExternalDelegateLink("gpu", Path.of("/nonexistent/libfoo.so"), "Create", "Delete"),
                externalXnnpack("ext"));
        try (OpenedInterpreter opened = chain.open(TestModels.add().toBuffer(), 1, addProbe())) {
            assertEquals(List.of(LinkOutcome.Status.ACTIVE, LinkOutcome.Status.UNAVAILABLE,
                    LinkOutcome.Status.AVAILABLE), opened.outcomes().stream().map(LinkOutcome::status).toList());
            assertEquals("library /nonexistent/libfoo.so not found", opened.outcomes().get(1).reason());
        }
    }

    @Test
    void aFailingProbeClosesTheAttemptAndFallsToTheNextLink() throws Exception {
        List<String> probed = new ArrayList<>();
        InterpreterProbe rejectsXnnpackOnce = interpreter -> {
            probed.add(probed.isEmpty() ? "first" : "second");
            if (probed.size() == 1) {
                throw new IllegalStateException("output differs from the reference by 3.5");
            }
            addProbe().probe(interpreter);
        };
        try (OpenedInterpreter opened = DelegateChain.defaultChain()
                .open(TestModels.add().toBuffer(), 1, rejectsXnnpackOnce)) {
            assertEquals("cpu", opened.activeLink());
            assertEquals(new LinkOutcome("xnnpack", LinkOutcome.Status.FAILED,
                    "probe failed: IllegalStateException: output differs from the reference by 3.5"),
                    opened.outcomes().get(0));
            assertEquals(List.of("first", "second"), probed);
        }
    }

    @Test
    void everyLinkFailingListsEveryReason() {
        DelegateChain chain = DelegateChain.of(
                new ExternalDelegateLink("gpu", Path.of("/nonexistent/libfoo.so"), "Create", "Delete"),
                new CpuLink());
        DelegateChainException e = assertThrows(DelegateChainException.class,
                () -> chain.open(TestModels.add().toBuffer(), 1, interpreter -> {
                    throw new IllegalStateException("never good enough");
                }));
        assertEquals("no link of the delegate chain runs the model: gpu UNAVAILABLE: library /nonexistent/libfoo.so"
                + " not found; cpu FAILED: probe failed: IllegalStateException: never good enough", e.getMessage());
        assertEquals(2, e.outcomes().size());
    }

    @Test
    void unsupportedOpStopsTheChainWithTheOpName() {
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class,
                () -> DelegateChain.defaultChain().open(TestModels.gelu().toBuffer(), 1, InterpreterProbe.zeros()));
        assertEquals("GELU", e.op());
        assertEquals("model needs op GELU which this TFLite runtime (2.6.2) does not provide", e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void opensAMappedModelFile() throws Exception {
        Path dir = Files.createTempDirectory("c2f-chain");
        Path path = dir.resolve("add.tflite");
        Files.write(path, TestModels.add().toBytes());
        TfliteModelFile file = TfliteModelFile.open(path);
        try (OpenedInterpreter opened = RuntimeOptions.defaults().open(file, addProbe())) {
            assertEquals("xnnpack", opened.activeLink());
            assertEquals(LinkOutcome.Status.AVAILABLE, opened.outcomes().get(1).status());
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void specParsing() {
        DelegateChain chain = DelegateChain.fromSpec(
                " gpu:/opt/a:b/libgpu.so:TfLiteGpuDelegateV2Create:TfLiteGpuDelegateV2Delete , xnnpack,cpu");
        assertEquals(List.of("gpu", "xnnpack", "cpu"), chain.links().stream().map(DelegateLink::name).toList());
        ExternalDelegateLink gpu = (ExternalDelegateLink) chain.links().get(0);
        assertEquals(Path.of("/opt/a:b/libgpu.so"), gpu.library());
        assertEquals("TfLiteGpuDelegateV2Create", gpu.createSymbol());
        assertEquals("TfLiteGpuDelegateV2Delete", gpu.deleteSymbol());
        assertEquals(chain.toSpec(), DelegateChain.fromSpec(chain.toSpec()).toSpec());
        assertEquals(List.of("xnnpack", "cpu"),
                DelegateChain.fromSpec(DelegateChain.DEFAULT_SPEC).links().stream().map(DelegateLink::name).toList());

        assertEquals("delegate link \"nnapi\" is neither xnnpack, cpu nor NAME:/path/lib.so:CreateSymbol:DeleteSymbol",
                assertThrows(IllegalArgumentException.class, () -> DelegateChain.fromSpec("nnapi")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelegateChain.fromSpec("cpu,,xnnpack"))
                .getMessage().startsWith("empty link"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelegateChain.fromSpec("cpu,cpu"))
                .getMessage().contains("twice"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DelegateChain.fromSpec("gpu:lib.so:Create:Delete")).getMessage().contains("must be absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DelegateChain.fromSpec("GPU:/lib.so:Create:Delete")).getMessage().contains("lower-case"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DelegateChain.fromSpec("gpu:/lib.so:Create-x:Delete")).getMessage().contains("not a C symbol"));
        assertThrows(IllegalArgumentException.class, () -> DelegateChain.fromSpec(" "));
    }

    @Test
    void unavailableReasonIsCheapAndHonest() {
        assertEquals(Optional.empty(), externalXnnpack("ext").unavailableReason());
        assertEquals(Optional.of("symbol Nope missing in " + jni),
                new ExternalDelegateLink("x", jni, "Nope", DELETE).unavailableReason());
        assertFalse(new CpuLink().unavailableReason().isPresent());
    }

    @Test
    void nativeDelegateIsDeletedOnce() {
        List<Long> deleted = new ArrayList<>();
        NativeDelegate delegate = new NativeDelegate(42, deleted::add);
        assertEquals(42, delegate.getNativeHandle());
        delegate.close();
        delegate.close();
        assertEquals(List.of(42L), deleted);
        assertThrows(IllegalStateException.class, delegate::getNativeHandle);
        assertThrows(IllegalArgumentException.class, () -> new NativeDelegate(0, h -> { }));
    }
}
