package io.c2f.demo;

import io.c2f.proto.v1.GeneratedImage;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The whole loop on a running controller, step by step, through its HTTP API and MQTT only:
 * register the shipped model and its schedule catalog, search schedules, start agents (real
 * TFLite devices and a simulated fleet, as child processes), roll the model out in waves, set
 * latency targets, generate images, slow simulated devices down and let the retuner move them to
 * cheaper schedules and back. The demo runs the steps and narrates; the end-to-end test runs the
 * same steps and asserts on what they return. Blocking: call it from a plain thread.
 */
public final class FleetScenario implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(500);
    private final Vertx vertx;
    private final ScenarioPlan plan;
    private final ApiClient api;
    private final String brokerUrl;
    private final DemoSecrets secrets;
    private final Consumer<String> progress;
    private final List<AgentProcess> agents = new ArrayList<>();
    private final List<Path> bundleSchedules = new ArrayList<>();
    private SimulatorProcess simulator;
    private Path controllerKey;
    private GenerationLoad load;
    private String loadDeployment;

    /**
     * @param brokerUrl the broker the agents connect to (the controller's)
     * @param secrets the admin token the scenario calls the API with, and where it keeps the enrolment
     *     tokens it creates
     * @param progress receives one line per thing worth telling
     */
    public FleetScenario(Vertx vertx, ScenarioPlan plan, String apiHost, int apiPort, String brokerUrl,
            DemoSecrets secrets, Consumer<String> progress) {
        this.vertx = vertx;
        this.plan = plan;
        this.api = new ApiClient(vertx, apiHost, apiPort, secrets.adminToken());
        this.brokerUrl = brokerUrl;
        this.secrets = secrets;
        this.progress = progress;
    }

    public ApiClient api() {
        return api;
    }

    public ScenarioPlan plan() {
        return plan;
    }

    private void say(String format, Object... args) {
        progress.accept(String.format(Locale.ROOT, format, args));
    }

    /**
     * Registers the shipped model (the controller opens it with TFLite and checks its sha256), named
     * in the controller's models directory.
     */
    public JsonObject registerModel() {
        JsonObject m = api.post("/api/v1/models", new JsonObject().put("id", plan.modelId())
                .put("source", plan.nameInModelsDir(plan.modelDir().resolve("model.tflite"))), 201);
        say("model %s registered: sha256 %s..., resolutions %s", m.getString("id"),
                m.getString("modelSha256").substring(0, 12), m.getJsonArray("resolutions").encode());
        return m;
    }

    /**
     * Offers every directory of schedule files under the catalog root to the model's catalog;
     * returns the ids added. A directory the controller refuses (schedules of another model) is
     * skipped with its reason.
     */
    public List<String> loadCatalog() {
        List<String> added = new ArrayList<>();
        for (Path dir : scheduleDirs(plan.catalogDir())) {
            try {
                JsonArray ids = api.post("/api/v1/models/" + plan.modelId() + "/schedules",
                        new JsonObject().put("catalogDir", plan.nameInModelsDir(dir)), 200).getJsonArray("added");
                ids.forEach(id -> added.add((String) id));
                bundleSchedules.addAll(jsonFiles(dir));
                say("catalog %s: %d schedules %s", plan.catalogDir().relativize(dir).toString().isEmpty() ? "."
                        : plan.catalogDir().relativize(dir), ids.size(), ids.encode());
            } catch (ApiClient.ApiException e) {
                say("catalog %s skipped: %s", dir, e.getMessage());
            }
        }
        if (added.isEmpty()) {
            throw new IllegalStateException("no schedule under " + plan.catalogDir() + " fits model " + plan.modelId());
        }
        return added;
    }

    private static List<Path> scheduleDirs(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isDirectory).filter(d -> !jsonFiles(d).isEmpty()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the schedule catalog " + root, e);
        }
    }

    private static List<Path> jsonFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    /** The model's catalog by schedule id, best first: steps, measured held-out loss, MACs per image. */
    public Map<String, JsonObject> catalog() {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        api.get("/api/v1/models/" + plan.modelId() + "/schedules").getJsonArray("schedules")
                .forEach(o -> out.put(((JsonObject) o).getString("scheduleId"), (JsonObject) o));
        return out;
    }

    /** Starts the plan's schedule search on the controller (it runs on the controller's workers); returns its id. */
    public String startSearch() {
        JsonObject job = api.post("/api/v1/models/" + plan.modelId() + "/searches", plan.search(), 202);
        say("schedule search %s started: %s", job.getString("id"), plan.search().encode());
        return job.getString("id");
    }

    /** Waits for a schedule search to end; returns the job. */
    public JsonObject awaitSearch(String searchId) {
        String path = "/api/v1/models/" + plan.modelId() + "/searches/" + searchId;
        double[] lastProgress = {-1};
        JsonObject done = await("schedule search " + searchId, () -> {
            JsonObject j = api.get(path);
            if (j.getDouble("progress", 0.0) - lastProgress[0] >= 0.25) {
                lastProgress[0] = j.getDouble("progress", 0.0);
                say("  search %s: %s %.0f%% %s", j.getString("id"), j.getString("state"), lastProgress[0] * 100,
                        Objects.toString(j.getString("message"), ""));
            }
            return j;
        }, j -> j.getString("state").equals("SUCCEEDED") || j.getString("state").equals("FAILED"));
        say("schedule search %s %s: %s", done.getString("id"), done.getString("state"), done.getJsonArray("results").encode());
        return done;
    }

    /** Fetches the controller's bundle signing key for the agents. */
    private Path controllerKey() throws IOException {
        if (controllerKey == null) {
            Files.createDirectories(plan.workDir());
            controllerKey = plan.workDir().resolve("controller.pub");
            Files.writeString(controllerKey, api.getText("/api/v1/keys/bundle-signing"));
        }
        return controllerKey;
    }

    /**
     * Starts the real agents and the simulated fleet as child processes, each with only an enrolment
     * token: the simulated fleet's token accepts its devices by itself, the real agents' token leaves
     * them pending until they are accepted here through the API. Waits for all to be online.
     */
    public void startAgents() throws IOException {
        Path key = controllerKey();
        Path simToken = enrolmentToken(plan.fleet() + "-sim", true);
        Path realToken = enrolmentToken(plan.fleet() + "-real", false);
        // every other real agent pinned to ONNX Runtime: the bundle carries both model files, and the
        // dashboard's device pages then show both engines (the others take their chain's first)
        for (int i = 0; i < plan.realAgents(); i++) {
            String engine = i % 2 == 1 ? "onnx" : "auto";
            agents.add(AgentProcess.real(plan.agentJar(), brokerUrl, plan.fleet(), plan.realAgentId(i),
                    realToken, "real=true,engine=" + engine, engine, key,
                    plan.workDir().resolve("agents")));
        }
        simulator = SimulatorProcess.start(plan.agentJar(), brokerUrl, plan.fleet(), plan.sim(),
                simToken, key, plan.workDir().resolve("simulator"));
        agents.add(simulator);
        say("started %d real agent(s) (every other one pinned to ONNX Runtime) and a simulator of %d devices (pids %s)", plan.realAgents(),
                plan.sim().devices(), agents.stream().map(a -> Long.toString(a.pid())).toList());
        acceptRealAgents();
        int[] last = {-1};
        await(plan.deviceCount() + " devices online", () -> {
            checkAgentsAlive();
            int n = online();
            if (n != last[0]) {
                last[0] = n;
                say("  %d of %d devices online", n, plan.deviceCount());
            }
            return n;
        }, n -> n == plan.deviceCount());
    }

    /** Creates an enrolment token through the API and keeps it (shown once) in the owner-only secrets dir. */
    private Path enrolmentToken(String id, boolean autoAccept) throws IOException {
        JsonObject t = api.post("/api/v1/enrolment-tokens", new JsonObject().put("id", id).put("autoAccept", autoAccept),
                201);
        say("enrolment token %s created (%s)", t.getString("id"), autoAccept ? "accepts its devices by itself"
                : "its devices wait for an operator");
        return secrets.keepEnrolmentToken(t.getString("id"), t.getString("token"));
    }

    /** Waits until every real agent is pending enrolment, then accepts each through the API, as an operator would. */
    private void acceptRealAgents() {
        List<String> real = realIds();
        JsonArray pending = await(real.size() + " real agents pending enrolment", () -> {
            checkAgentsAlive();
            return api.get("/api/v1/enrolments?status=pending").getJsonArray("enrolments");
        }, a -> a.stream().map(o -> ((JsonObject) o).getString("deviceId")).toList().containsAll(real));
        for (Object o : pending) {
            JsonObject e = (JsonObject) o;
            if (real.contains(e.getString("deviceId"))) {
                api.post("/api/v1/enrolments/" + e.getString("deviceId") + "/accept", new JsonObject(), 200);
                say("  %s asked to enrol (token %s, agent %s): accepted through the API", e.getString("deviceId"),
                        e.getString("tokenId"), e.getString("agentVersion"));
            }
        }
    }

    private void checkAgentsAlive() {
        for (AgentProcess a : agents) {
            if (!a.isAlive()) {
                throw new IllegalStateException("agent process " + a.name() + " ended: " + a.tail());
            }
        }
    }

    /** Devices the registry has online. */
    public int online() {
        return api.get("/api/v1/devices?status=ONLINE&limit=1000").getJsonArray("devices").size();
    }

    /** Every device id of the plan: the real agents first. */
    public List<String> deviceIds() {
        return plan.deviceIds();
    }

    public List<String> realIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < plan.realAgents(); i++) {
            ids.add(plan.realAgentId(i));
        }
        return ids;
    }

    public List<String> simIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < plan.sim().devices(); i++) {
            ids.add(plan.sim().deviceId(i));
        }
        return ids;
    }

    /**
     * Packs the shipped model with the catalog's schedule files into a signed bundle. Its default
     * schedule is the catalog's best by the retuner's own quality order, so devices start where
     * the retuner would put them without a latency problem.
     */
    public String createBundle() {
        Map<String, JsonObject> catalog = catalog();
        List<String> inBundle = new ArrayList<>();
        for (Path f : bundleSchedules) {
            String id = f.getFileName().toString().replaceFirst("\\.json$", "");
            if (catalog.containsKey(id)) {
                inBundle.add(id);
            }
        }
        // the catalog API lists best first, in the retuner's own order
        String best = catalog.keySet().stream().filter(inBundle::contains).findFirst()
                .orElseThrow(() -> new IllegalStateException("no catalog schedule file to put in the bundle"));
        JsonObject body = new JsonObject().put("name", plan.modelId()).put("version", "1.0.0")
                .put("minAgentVersion", "0.1.0")
                .put("modelName", plan.nameInModelsDir(plan.modelDir().resolve("model.tflite")))
                .put("modelInfoName", plan.nameInModelsDir(plan.modelDir().resolve("model.json")))
                .put("scheduleNames", new JsonArray(bundleSchedules.stream().map(plan::nameInModelsDir).toList()))
                .put("defaultScheduleId", best)
                // the install's health probe generates one image with the default schedule on the device
                .put("probe", new JsonObject().put("seed", 1234).put("scheduleId", best));
        JsonObject b = api.post("/api/v1/bundles", body, 201);
        say("bundle %s signed: %d bytes in %d chunks, %d schedules, default %s", b.getString("id"),
                b.getLong("payloadSize"), b.getInteger("chunkCount"), b.getJsonArray("schedules").size(), best);
        return b.getString("id");
    }

    /** Rolls the bundle out to the whole fleet in growing waves and waits until it succeeded. */
    public JsonObject rollOut(String bundleId) {
        JsonObject created = api.post("/api/v1/rollouts", new JsonObject().put("bundleId", bundleId)
                .put("target", new JsonObject().put("all", true))
                .put("waves", new JsonObject().put("canary", 1).put("growth", 2.0).put("maxWaveSize", 16)
                        .put("minSuccessPercent", 100))
                .put("abort", new JsonObject().put("maxFailurePercent", 10).put("minFinished", 1)), 201);
        String id = created.getString("id");
        String[] last = {""};
        JsonObject done = await("rollout " + id, () -> {
            JsonObject r = api.get("/api/v1/rollouts/" + id);
            JsonArray waves = r.getJsonArray("waves");
            StringBuilder w = new StringBuilder();
            for (int i = 0; i < waves.size(); i++) {
                JsonObject wave = waves.getJsonObject(i);
                w.append(i == 0 ? "" : " ").append(wave.getInteger("size")).append(':')
                        .append(wave.getString("state").charAt(0));
            }
            String line = String.format(Locale.ROOT, "  rollout %s %s, wave %d of %d, %d installed; waves [%s]", id,
                    r.getString("state"), r.getInteger("currentWave") + 1, waves.size(),
                    r.getJsonObject("counts").getLong("SUCCEEDED", 0L), w);
            if (!line.equals(last[0])) {
                last[0] = line;
                progress.accept(line);
            }
            return r;
        }, r -> !r.getString("state").equals("RUNNING") && !r.getString("state").equals("PAUSED"));
        if (!done.getString("state").equals("SUCCEEDED")) {
            throw new IllegalStateException("rollout " + id + " ended " + done.getString("state") + ": "
                    + done.getString("abortReason"));
        }
        say("rollout %s SUCCEEDED: %s on %d devices", id, bundleId, done.getJsonObject("counts").getLong("SUCCEEDED"));
        // a job succeeds on the device's job status; the registry learns the new slot from the
        // device's state report a moment later: wait for it, so callers see what is installed
        List<String> ids = deviceIds();
        await("every device reporting " + bundleId + " installed", () -> ids.stream()
                .filter(d -> {
                    JsonObject installed = api.get("/api/v1/devices/" + d).getJsonObject("installed");
                    return installed != null && bundleId.equals(installed.getString("bundleId"));
                }).count(), n -> n == ids.size());
        return done;
    }

    /**
     * Gives every simulated device (and the real ones if the plan says so) a p95 latency target
     * for the model: the plan's multiple of the p95 it shows on the default schedule, measured
     * over {@code samples} generations. Needs the generation load running. Returns the targets.
     */
    public Map<String, Double> setTargets(int samples) {
        List<String> ids = new ArrayList<>(simIds());
        if (plan.tuneRealAgents()) {
            ids.addAll(realIds());
        }
        Map<String, Double> targets = new LinkedHashMap<>();
        for (String id : ids) {
            double p95 = awaitSamples(id, samples).getJsonObject("window").getDouble("p95Ms");
            double target = Math.ceil(p95 * plan.targetFactor());
            api.put("/api/v1/devices/" + id + "/target", new JsonObject().put("p95Millis", target)
                    .put("modelId", plan.modelId()), 200);
            targets.put(id, target);
        }
        DoubleSummaryStatistics sim = simIds().stream().mapToDouble(targets::get).summaryStatistics();
        say("latency targets set: p95 <= %s x each device's measured p95 (simulated devices %.0f..%.0f ms%s)",
                plan.targetFactor(), sim.getMin(), sim.getMax(), plan.tuneRealAgents() ? ", " + realIds().stream()
                        .map(id -> id + " " + targets.get(id).intValue() + " ms").toList() : "");
        return targets;
    }

    /** Waits until a device's latency window holds at least n generations; returns the window. */
    public JsonObject awaitSamples(String deviceId, int n) {
        return await(n + " generations of " + deviceId + " in its latency window", () -> {
            try {
                return latency(deviceId);
            } catch (ApiClient.ApiException notYet) {
                return null; // 404 until its first generation record arrives
            }
        }, j -> j.getJsonObject("window").getInteger("samples") >= n);
    }

    /** Starts closed-loop generation requests to every device. */
    public GenerationLoad startGeneration() {
        load = new GenerationLoad(plan.pauseMs(), 30_000);
        loadDeployment = ApiClient.await(vertx.deployVerticle(load), "starting the generation load");
        load.add(deviceIds());
        say("generating: every device gets its next request %d ms after its previous answer", plan.pauseMs());
        return load;
    }

    public GenerationLoad load() {
        return load;
    }

    /** Waits for an image from a device and returns it. */
    public GeneratedImage awaitImage(String deviceId) {
        return await("an image from " + deviceId, () -> load.lastImage(deviceId), Objects::nonNull);
    }

    /** Slows simulated devices down (their cost per MAC times factor), through the simulator's console. */
    public String slowDown(List<String> deviceIds, double factor) {
        String r = simulator.command("slow " + String.join(",", deviceIds) + " " + factor, Duration.ofSeconds(10));
        say("simulator: %s", r);
        return r;
    }

    /** Gives simulated devices their original speed back. */
    public String recover(List<String> deviceIds) {
        String r = simulator.command("recover " + String.join(",", deviceIds), Duration.ofSeconds(10));
        say("simulator: %s", r);
        return r;
    }

    /** A device's retune decisions, oldest first. */
    public List<JsonObject> decisions(String deviceId) {
        List<JsonObject> out = new ArrayList<>();
        api.get("/api/v1/devices/" + deviceId + "/schedule-history").getJsonArray("decisions")
                .forEach(o -> out.add((JsonObject) o));
        out.sort(Comparator.comparing(o -> o.getString("at")));
        return out;
    }

    /**
     * Waits until each device has a decision of this direction (DOWNGRADE, UPGRADE) made after
     * {@code since}; returns the first such decision of each.
     */
    public Map<String, JsonObject> awaitDecisions(List<String> deviceIds, String direction, Instant since) {
        Map<String, JsonObject> found = new LinkedHashMap<>();
        await(deviceIds.size() + " " + direction + " decisions", () -> {
            for (String id : deviceIds) {
                if (found.containsKey(id)) {
                    continue;
                }
                decisions(id).stream().filter(d -> d.getString("reason").startsWith(direction + ":"))
                        .filter(d -> !Instant.parse(d.getString("at")).isBefore(since)).findFirst()
                        .ifPresent(d -> {
                            found.put(id, d);
                            say("  retune %s: %s -> %s (%s)", id, d.getString("from"), d.getString("to"),
                                    d.getString("reason"));
                        });
            }
            return found.size();
        }, n -> n == deviceIds.size());
        return found;
    }

    /** A device's latency window and cost model as the retuner sees them. */
    public JsonObject latency(String deviceId) {
        return api.get("/api/v1/devices/" + deviceId + "/latency");
    }

    /** How many devices last ran each schedule (from their answers). */
    public Map<String, Long> scheduleCounts() {
        Map<String, Long> counts = new TreeMap<>();
        load.lastSchedules().values().forEach(s -> counts.merge(s, 1L, Long::sum));
        return counts;
    }

    private <T> T await(String what, Supplier<T> poll, Predicate<T> done) {
        long deadline = System.nanoTime() + plan.waitTimeout().toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = poll.get();
            if (last != null && done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
        }
        throw new IllegalStateException("waited " + plan.waitTimeout().toSeconds() + " s for " + what + "; last seen: "
                + last);
    }

    /** Stops the generation load and every agent process (SIGTERM, then kill). */
    @Override
    public void close() {
        if (loadDeployment != null) {
            try {
                ApiClient.await(vertx.undeploy(loadDeployment), "stopping the generation load");
            } catch (RuntimeException e) {
                progress.accept("stopping the generation load: " + e.getMessage());
            }
            loadDeployment = null;
        }
        // in parallel: each agent takes up to a few seconds to say goodbye
        agents.parallelStream().forEach(AgentProcess::close);
        agents.clear();
        api.close();
    }
}
