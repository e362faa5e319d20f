package io.c2f.models.cli;

import io.c2f.models.bench.ForwardBenchmark;
import io.c2f.models.bench.ForwardBreakdown;
import io.c2f.models.bench.SamplerBenchmark;
import io.c2f.models.data.PrepareData;
import io.c2f.models.importer.ImportDiffusersCommand;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar c2f-models.jar COMMAND ...}: the models toolchain from the command line.
 *
 * <pre>
 * demo          [--model FILE.tflite|random] [--out DIR] [--seeds 16] [--threads 1] [--delegates xnnpack,cpu]
 * bench         [--model FILE.tflite|random] [--threads 1] [--batch 1] [--repeats 5]
 * bench-forward [--old FILE.tflite] [--new FILE.tflite] [--old-form compact|legacy|tiled] [--threads 1] [--forwards 20] [--repeats 7]
 * bench-breakdown [--checkpoint DIR] [--model FILE.tflite] [--form tiled|compact|legacy] [--only REGEX] [--threads 1] [--forwards 20] [--repeats 5]
 * prepare-data  --source emoji|icons|fashion-mnist|cifar10 --out DIR [--input PATH] [--limit N]
 * import-diffusers --safetensors FILE [--config config.json] [--preset ddpm-cifar10] --out DIR/model.tflite
 *               [--fp16] [--resolutions 32,16] [--name NAME]
 * </pre>
 * Without --model, demo and bench use the shipped model (models/zoo/emoji32-c2f) when present.
 */
public final class ModelsCli {
    private ModelsCli() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "demo" -> Demo.run(options(rest));
            case "bench" -> SamplerBenchmark.main(rest);
            case "bench-forward" -> ForwardBenchmark.main(rest);
            case "bench-breakdown" -> ForwardBreakdown.main(rest);
            case "prepare-data" -> PrepareData.main(rest);
            case "import-diffusers" -> ImportDiffusersCommand.main(rest);
            default -> {
                System.err.println("unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("usage: java -jar c2f-models.jar demo|bench|bench-forward|bench-breakdown|prepare-data|import-diffusers [options]\n"
                + "  demo          [--model FILE.tflite|random] [--out DIR] [--seeds 16] [--threads 1]\n"
                + "  bench         [--model FILE.tflite|random] [--threads 1] [--batch 1] [--repeats 5]\n"
                + "  bench-forward [--old FILE.tflite] [--new FILE.tflite] [--old-form compact|legacy|tiled] [--threads 1] [--forwards 20] [--repeats 7]\n"
                + "  bench-breakdown [--checkpoint DIR] [--model FILE.tflite] [--form tiled|compact|legacy] [--only REGEX] [--threads 1] [--forwards 20] [--repeats 5]\n"
                + "  prepare-data  --source emoji|icons|fashion-mnist|cifar10 --out DIR [--input PATH] [--limit N]\n"
                + "  " + ImportDiffusersCommand.USAGE);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
