package gtvision.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over mutual TLS as src/main/resources/cluster.conf switches it on from the environment
 * (GTV_ARTERY_TRANSPORT=tls-tcp and the key stores): members holding the cluster's certificate form
 * a cluster; a node with another certificate, or without TLS, never becomes a member.
 */
class ArteryTlsTest {

    private static final String PASSWORD = "artery-test-pass";

    @TempDir
    static Path keys;

    private static Path clusterKeyStore;
    private static Path clusterTrustStore;
    private static ActorSystem<Void> first;
    private static final List<ActorSystem<Void>> started = new ArrayList<>();

    @BeforeAll
    static void generateKeysAndStartTheFirstMember() throws Exception {
        clusterKeyStore = keys.resolve("cluster-keystore.p12");
        clusterTrustStore = keys.resolve("cluster-truststore.p12");
        keyPair("cluster", clusterKeyStore, clusterTrustStore);
        first = start(tlsEnvironment(clusterKeyStore, clusterTrustStore), null);
        awaitUp(first, 1);
    }

    @AfterAll
    static void stopAll() {
        for (ActorSystem<Void> system : started) {
            system.terminate();
        }
        for (ActorSystem<Void> system : started) {
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    @Test
    void theEnvironmentSwitchesTheTransportToMutualTls() {
        Config plain = clusterConf(Map.of());
        assertEquals("tcp", plain.getString("pekko.remote.artery.transport"), "plain TCP unless asked");
        Config tls = clusterConf(Map.of("GTV_ARTERY_TRANSPORT", "tls-tcp", "GTV_ARTERY_KEYSTORE", "/k/ks.p12",
                "GTV_ARTERY_TRUSTSTORE", "/k/ts.p12", "GTV_ARTERY_KEYSTORE_PASSWORD", "a", "GTV_ARTERY_TRUSTSTORE_PASSWORD", "b"));
        Config engine = tls.getConfig("pekko.remote.artery.ssl.config-ssl-engine");
        assertEquals("tls-tcp", tls.getString("pekko.remote.artery.transport"));
        assertEquals("/k/ks.p12", engine.getString("key-store"));
        assertEquals("/k/ts.p12", engine.getString("trust-store"));
        assertEquals("a", engine.getString("key-store-password"));
        assertEquals("a", engine.getString("key-password"), "the key's password defaults to the key store's");
        assertEquals("b", engine.getString("trust-store-password"));
        assertTrue(engine.getBoolean("require-mutual-authentication"));
        assertEquals("TLSv1.3", engine.getString("protocol"));
        assertEquals("org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider",
                tls.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
    }

    @Test
    void membersWithTheClusterCertificateFormOneCluster() throws Exception {
        ActorSystem<Void> second = start(tlsEnvironment(clusterKeyStore, clusterTrustStore), first);
        awaitUp(second, 2);
        awaitUp(first, 2);
        Cluster.get(second).manager().tell(org.apache.pekko.cluster.typed.Leave.create(Cluster.get(second).selfMember().address()));
    }

    @Test
    void aNodeWithAnotherCertificateNeverJoins() throws Exception {
        Path otherKeys = keys.resolve("other-keystore.p12");
        Path otherTrust = keys.resolve("other-truststore.p12");
        keyPair("other", otherKeys, otherTrust);
        // It trusts the cluster's certificate, so only the cluster's refusal of its own keeps it out.
        Path trustsBoth = keys.resolve("other-trusts-cluster.p12");
        Files.copy(otherTrust, trustsBoth);
        keytool("-importcert", "-noprompt", "-alias", "cluster", "-file", keys.resolve("cluster.crt").toString(),
                "-keystore", trustsBoth.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        ActorSystem<Void> stranger = start(tlsEnvironment(otherKeys, trustsBoth), first);
        assertNeverJoins(stranger);
    }

    @Test
    void aNodeWithoutTlsNeverJoins() throws Exception {
        ActorSystem<Void> plain = start(Map.of(), first);
        assertNeverJoins(plain);
    }

    private static void assertNeverJoins(ActorSystem<Void> stranger) throws InterruptedException {
        // A join attempt is retried every few seconds; give it several tries.
        Instant until = Instant.now().plusSeconds(12);
        while (Instant.now().isBefore(until)) {
            assertFalse(isUpMember(first, Cluster.get(stranger).selfMember().address().toString()),
                    "the stranger became a member");
            assertFalse(Cluster.get(stranger).selfMember().status().equals(MemberStatus.up()), "the stranger sees itself up");
            Thread.sleep(200);
        }
    }

    private static boolean isUpMember(ActorSystem<Void> system, String address) {
        return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .anyMatch(m -> m.address().toString().equals(address) && m.status().equals(MemberStatus.up()));
    }

    private static Map<String, String> tlsEnvironment(Path keyStore, Path trustStore) {
        return Map.of("GTV_ARTERY_TRANSPORT", "tls-tcp", "GTV_ARTERY_KEYSTORE", keyStore.toString(),
                "GTV_ARTERY_TRUSTSTORE", trustStore.toString(), "GTV_ARTERY_KEYSTORE_PASSWORD", PASSWORD,
                "GTV_ARTERY_TRUSTSTORE_PASSWORD", PASSWORD);
    }

    /** cluster.conf resolved as if {@code environment} were the process environment. */
    private static Config clusterConf(Map<String, String> environment) {
        return ConfigFactory.parseMap(environment).withFallback(ConfigFactory.parseResources("cluster.conf"))
                .withFallback(ConfigFactory.defaultReference()).resolve();
    }

    /** An actor system on cluster.conf with {@code environment}, joining {@code seed} (itself when null). */
    private static ActorSystem<Void> start(Map<String, String> environment, ActorSystem<Void> seed) {
        int port = TestNodes.freePort();
        String seedAddress = seed == null ? "pekko://gtvision@127.0.0.1:" + port
                : Cluster.get(seed).selfMember().address().toString();
        Config test = ConfigFactory.parseString(String.join("\n",
                "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
                "pekko.remote.artery.canonical.port = " + port,
                "pekko.cluster.seed-nodes = [\"" + seedAddress + "\"]",
                "pekko.coordinated-shutdown.exit-jvm = off",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
                "pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes = off",
                "pekko.loglevel = WARNING"));
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.putIfAbsent("GTV_CLUSTER_PORT", String.valueOf(port));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "gtvision", test.withFallback(clusterConf(env)));
        started.add(system);
        return system;
    }

    private static void awaitUp(ActorSystem<Void> system, int members) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            var all = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false).toList();
            if (all.size() >= members && all.stream().filter(m -> m.status().equals(MemberStatus.up())).count() >= members) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(system.address() + " never saw " + members + " up members: " + Cluster.get(system).state().getMembers());
    }

    /** A self-signed key pair in a PKCS12 key store, its certificate in {@code name}.crt and in a trust store. */
    private static void keyPair(String name, Path keyStore, Path trustStore) throws Exception {
        Path cert = keys.resolve(name + ".crt");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=gtvision-" + name,
                "-validity", "2", "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", name, "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", name, "-file", cert.toString(), "-keystore", trustStore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("keytool " + String.join(" ", args) + ": " + output);
        }
    }
}
