package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real haproxy/haproxy.cfg run by the installed haproxy binary, moved onto free loopback ports,
 * with the API servers pointed at a test backend and the certificate at a test certificate.
 * Everything else (normalisation, ACLs, limits, TLS settings) is the file as shipped.
 */
final class HaproxyProcess implements AutoCloseable {

    static final String CERT_PATH = "/etc/haproxy/tls/tls.pem";
    /** The API server as haproxy.cfg writes it: quoted, its namespace from the environment. */
    static final String API_SERVER = "\"gtvision-api.${GTV_NAMESPACE}.svc.cluster.local:8080\"";
    /** What the Deployment haproxy sets (its own namespace); the MediaMTX servers are expanded with it. */
    static final Map<String, String> ENVIRONMENT = Map.of("GTV_NAMESPACE", "gtvision");

    final int httpPort;
    final int httpsPort;
    final int statsPort;
    private final Process process;
    private final Path log;

    private HaproxyProcess(int httpPort, int httpsPort, int statsPort, Process process, Path log) {
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.statsPort = statsPort;
        this.process = process;
        this.log = log;
    }

    static Optional<Path> binary() {
        return ExternalTool.find("haproxy").or(() -> Optional.of(Path.of("/usr/sbin/haproxy")).filter(Files::isExecutable));
    }

    /**
     * The shipped configuration with only addresses changed: binds to loopback, the API server to
     * {@code apiBackend}, the certificate to {@code certificate}.
     */
    static String rewrite(String config, int httpPort, int httpsPort, int statsPort, int apiBackendPort, Path certificate) {
        StringBuilder out = new StringBuilder();
        for (String line : config.split("\n", -1)) {
            String l = line;
            if (l.matches("\\s+bind :80\\s*")) {
                l = "    bind 127.0.0.1:" + httpPort;
            } else if (l.matches("\\s+bind :443 .*")) {
                l = l.replace("bind :443 ", "bind 127.0.0.1:" + httpsPort + " ");
            } else if (l.matches("\\s+bind :8404\\s*")) {
                l = "    bind 127.0.0.1:" + statsPort;
            } else if (l.matches("\\s+bind :\\d+\\s*")) {
                // Video ports: not under test here; any free port keeps them out of each other's way.
                l = "    bind 127.0.0.1:" + freePort();
            }
            l = l.replace(CERT_PATH, certificate.toString()).replace(API_SERVER, "127.0.0.1:" + apiBackendPort);
            out.append(l).append('\n');
        }
        return out.toString();
    }

    static HaproxyProcess start(Path work, int apiBackendPort, Path certificate) throws IOException, InterruptedException {
        Path haproxy = binary().orElseThrow(() -> new AssertionError("haproxy not installed"));
        String shipped = Files.readString(DeploySettings.repo().resolve("haproxy/haproxy.cfg"));
        if (!shipped.contains(API_SERVER) || !shipped.contains(CERT_PATH)) {
            throw new AssertionError("haproxy.cfg no longer names " + API_SERVER + " and " + CERT_PATH + ": update HaproxyProcess");
        }
        int http = freePort();
        int https = freePort();
        int stats = freePort();
        Path cfg = work.resolve("haproxy-" + http + ".cfg");
        Files.writeString(cfg, rewrite(shipped, http, https, stats, apiBackendPort, certificate));
        ExternalTool.Result check = ExternalTool.run(haproxy, ENVIRONMENT, "-c", "-f", cfg.toString());
        assertEquals(0, check.exitCode(), "haproxy -c:\n" + check.stdout() + check.stderr());
        Path log = work.resolve("haproxy-" + http + ".log");
        // -db: stay in the foreground, so the process is ours to stop; -n: the configured maxconn needs
        // more file descriptors than test containers allow.
        ProcessBuilder builder = new ProcessBuilder(haproxy.toString(), "-db", "-n", "1000", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        ExternalTool.environment(builder, ENVIRONMENT);
        Process process = builder.start();
        HaproxyProcess proxy = new HaproxyProcess(http, https, stats, process, log);
        proxy.awaitApiBackendUp();
        return proxy;
    }

    /** Polls the statistics page until the API server's health check passed. */
    private void awaitApiBackendUp() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("haproxy exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> stats = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + statsPort + "/stats;csv")).build(), HttpResponse.BodyHandlers.ofString());
                if (stats.body().lines().anyMatch(l -> l.startsWith("be_app,app,") && l.contains(",UP,"))) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("be_app never came up: " + Files.readString(log));
    }

    URI https(String rawPath) {
        return URI.create("https://localhost:" + httpsPort + rawPath);
    }

    URI http(String rawPath) {
        return URI.create("http://localhost:" + httpPort + rawPath);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A self-signed certificate for localhost/127.0.0.1 by openssl: tls.pem and, as HAProxy reads it, tls.pem.key. */
    static Path selfSignedCertificate(Path dir, String name) throws IOException, InterruptedException {
        Path openssl = ExternalTool.find("openssl").orElseThrow(() -> new AssertionError("openssl not installed"));
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".pem.key");
        ExternalTool.Result made = ExternalTool.run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        assertEquals(0, made.exitCode(), made.stderr());
        return cert;
    }

    /** A TLS context that trusts exactly this certificate. */
    static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("edge", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
