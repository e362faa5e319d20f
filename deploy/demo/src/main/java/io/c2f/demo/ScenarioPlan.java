package io.c2f.demo;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * What the whole-loop scenario does: the model and catalog it registers, the devices it starts,
 * the latency targets it sets, the search it runs and how hard it drives the devices.
 *
 * @param fleet fleet id
 * @param modelDir a zoo directory: {@code model.tflite} and its manifest {@code model.json}; the
 *     scenario names its files to the controller relative to its parent, which is therefore the
 *     controller's {@code models.dir} (see {@link #stagedInto})
 * @param catalogDir schedule JSON files, in it and in its subdirectories (each directory is offered
 *     to the model's catalog; directories whose schedules do not fit the model are skipped)
 * @param agentJar the agent's runnable jar
 * @param workDir agent configs, state and logs go here
 * @param realAgents agents running the model on TFLite (ids real-1, real-2, ...)
 * @param sim the simulated fleet
 * @param targetFactor each device's p95 target is this multiple of the p95 it shows on the default
 *     schedule before any target is set (so the loop behaves alike on a fast laptop and a loaded box)
 * @param tuneRealAgents whether the real agents get targets too
 * @param search a schedule search request ({@code POST /api/v1/models/{id}/searches}), or null
 * @param pauseMs a device's next generation request comes this long after its previous answer
 * @param waitTimeout how long each waiting step may take
 */
public record ScenarioPlan(String fleet, Path modelDir, Path catalogDir, Path agentJar, Path workDir, int realAgents,
        SimulatorProcess.Fleet sim, double targetFactor, boolean tuneRealAgents, JsonObject search, long pauseMs,
        Duration waitTimeout) {
    public ScenarioPlan {
        require(Files.isRegularFile(modelDir.resolve("model.tflite")) && Files.isRegularFile(modelDir.resolve("model.json")),
                "model directory " + modelDir + " must hold model.tflite and model.json");
        require(Files.isDirectory(catalogDir), "schedule catalog " + catalogDir + " is not a directory");
        require(Files.isRegularFile(agentJar), "agent jar " + agentJar + " does not exist (build it: ./mvnw -q -B -ntp "
                + "package -DskipTests, or name it with --agent-jar)");
        require(realAgents >= 0 && realAgents <= 16, "real agents must be 0..16, got " + realAgents);
        require(targetFactor > 1, "the target factor must be > 1 (a multiple of the measured p95), got " + targetFactor);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Copies the model directory's files and the catalog tree into {@code modelsDir/<modelId>/} and
     * {@code modelsDir/<modelId>/catalog/}, the controller's models directory, and returns the plan
     * that uses the copies: the controller opens only files of its models directory.
     */
    public ScenarioPlan stagedInto(Path modelsDir) throws IOException {
        Path model = modelsDir.resolve(modelId());
        Path catalog = model.resolve("catalog");
        Files.createDirectories(catalog);
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, model.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (Stream<Path> tree = Files.walk(catalogDir)) {
            for (Path f : tree.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json")).toList()) {
                Path to = catalog.resolve(catalogDir.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new ScenarioPlan(fleet, model, catalog, agentJar, workDir, realAgents, sim, targetFactor, tuneRealAgents,
                search, pauseMs, waitTimeout);
    }

    /** A file of the plan's model or catalog directory as the controller's models directory names it. */
    String nameInModelsDir(Path file) {
        return modelDir.toAbsolutePath().getParent().relativize(file.toAbsolutePath()).toString()
                .replace(File.separatorChar, '/');
    }

    public String modelId() {
        return modelDir.getFileName().toString();
    }

    public String realAgentId(int i) {
        return "real-" + (i + 1);
    }

    /** Every device id: the real agents first, then the simulated ones. */
    public List<String> deviceIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < realAgents; i++) {
            ids.add(realAgentId(i));
        }
        for (int i = 0; i < sim.devices(); i++) {
            ids.add(sim.deviceId(i));
        }
        return ids;
    }

    public int deviceCount() {
        return realAgents + sim.devices();
    }
}
