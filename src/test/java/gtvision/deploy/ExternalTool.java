package gtvision.deploy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs an installed command-line validator (kubectl, promtool) where the machine has one. */
final class ExternalTool {

    record Result(int exitCode, String stdout, String stderr) {
    }

    private ExternalTool() {
    }

    static Optional<Path> find(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static Result run(Path tool, String... args) throws IOException, InterruptedException {
        return run(tool, Map.of(), args);
    }

    /** The same with these variables added to (or, with a null value, removed from) the environment. */
    static Result run(Path tool, Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        environment(builder, environment);
        Process process = builder.start();
        // Drain stderr in the background so that a chatty tool cannot block on a full pipe.
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                process.getErrorStream().transferTo(stderr);
            } catch (IOException e) {
                // the process died; its exit code tells the caller
            }
        });
        drain.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " timed out");
        }
        drain.join();
        return new Result(process.exitValue(), stdout, stderr.toString(StandardCharsets.UTF_8));
    }

    static void environment(ProcessBuilder builder, Map<String, String> changes) {
        changes.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
    }
}
