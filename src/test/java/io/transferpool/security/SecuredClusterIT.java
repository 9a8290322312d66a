package io.transferpool.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.TopicSetup;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import io.transferpool.pool.PoolConfig;
import io.transferpool.pool.Role;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The pool on a secured broker, as on the k8s cluster: clients connect with SASL/SCRAM-SHA-512 over TLS, the
 * broker authorizes every request (StandardAuthorizer, nothing allowed without an ACL), and each role runs as its
 * own user with exactly the ACLs k8s/base/users.yaml gives its KafkaUser (read from that file), topics created
 * beforehand by an administrator (tp.topics.create=false, as Strimzi owns them). A job goes through; a role whose
 * user lacks a permission stops at start, naming it.
 */
class SecuredClusterIT {
    static final String PASSWORD = "s3cret-for-tests";
    @TempDir
    static Path dir;
    static KafkaClusterTestKit cluster;
    /** Client settings for the SASL_SSL listener, but the user's name and password. */
    static Map<String, String> tls;
    static String secure;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        Path ks = dir.resolve("broker.p12");
        Path ts = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-keystore", ks.toString(), "-storepass", PASSWORD, "-rfc",
                "-file", dir.resolve("broker.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", dir.resolve("broker.crt").toString(),
                "-storetype", "PKCS12", "-keystore", ts.toString(), "-storepass", PASSWORD);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBaseDirectory(Files.createDirectories(dir.resolve("kraft"))).build();
        cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("message.max.bytes", String.valueOf(KafkaClients.MAX_RECORD_BYTES))
                // The test kit's own listeners stay plaintext (the broker's and this test's administration);
                // clients use SECURE: SASL/SCRAM over TLS.
                .setConfigProp("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0,SECURE://localhost:"
                        + port)
                .setConfigProp("listener.security.protocol.map",
                        "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL")
                .setConfigProp("listener.name.secure.sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .setConfigProp("listener.name.secure.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .setConfigProp("listener.name.secure.ssl.keystore.location", ks.toString())
                .setConfigProp("listener.name.secure.ssl.keystore.password", PASSWORD)
                .setConfigProp("listener.name.secure.ssl.keystore.type", "PKCS12")
                .setConfigProp("listener.name.secure.ssl.key.password", PASSWORD)
                .setConfigProp("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .setConfigProp("allow.everyone.if.no.acl.found", "false")
                .setConfigProp("super.users", "User:ANONYMOUS")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        admin = cluster.bootstrapServers();
        secure = "localhost:" + port;
        tls = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.location", ts.toString(), "ssl.truststore.password", PASSWORD,
                "ssl.truststore.type", "PKCS12");
        Map<String, List<AclBinding>> users = usersOfK8s();
        // A trainer's user missing one permission: Write on tp.results.
        users.put("tp-trainer-short", users.get("tp-trainer").stream()
                .filter(b -> !(b.pattern().name().equals("tp.results") && b.entry().operation() == AclOperation.WRITE))
                .map(b -> new AclBinding(b.pattern(), new AccessControlEntry("User:tp-trainer-short", "*",
                        b.entry().operation(), AclPermissionType.ALLOW))).toList());
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, admin))) {
            List<UserScramCredentialUpsertion> creds = new ArrayList<>();
            users.keySet().forEach(u -> creds.add(new UserScramCredentialUpsertion(u,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PASSWORD)));
            a.alterUserScramCredentials(new ArrayList<>(creds)).all().get();
            a.createAcls(users.values().stream().flatMap(List::stream).toList()).all().get();
        }
        // Topics exist before the pool starts, as Strimzi's KafkaTopics make them.
        TopicSetup.ensure(new KafkaClients(admin, "none", Map.of()), TestConfig.pool(dir, dir).topics(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("keytool " + String.join(" ", args) + ": " + out).isZero();
    }

    /** The ACLs of every KafkaUser in k8s/base/users.yaml, by user name. */
    static Map<String, List<AclBinding>> usersOfK8s() throws Exception {
        Map<String, List<AclBinding>> out = new HashMap<>();
        var parser = new YAMLFactory().createParser(Path.of("k8s/base/users.yaml").toFile());
        for (JsonNode user : new ObjectMapper().readValues(parser, JsonNode.class).readAll()) {
            String name = user.at("/metadata/name").asText();
            List<AclBinding> acls = new ArrayList<>();
            for (JsonNode acl : user.at("/spec/authorization/acls")) {
                JsonNode r = acl.path("resource");
                ResourcePattern pattern = new ResourcePattern(ResourceType.valueOf(r.path("type").asText()
                        .toUpperCase()), r.path("name").asText(), r.path("patternType").asText().equals("prefix")
                        ? PatternType.PREFIXED : PatternType.LITERAL);
                for (JsonNode op : acl.path("operations")) {
                    acls.add(new AclBinding(pattern, new AccessControlEntry("User:" + name, "*",
                            AclOperation.valueOf(op.asText().toUpperCase()), AclPermissionType.ALLOW)));
                }
            }
            out.put(name, acls);
        }
        assertThat(out).containsKeys("tp-coordinator", "tp-extractor", "tp-trainer", "tp-client");
        return out;
    }

    static Map<String, String> as(String user) {
        Map<String, String> c = new HashMap<>(tls);
        c.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + PASSWORD + "\";");
        return c;
    }

    /** The configuration of one role's deployment: its own user, topics owned by the operator. */
    static PoolConfig role(Role role, String user, Path root, Path work, String... more) {
        Map<String, String> keys = new HashMap<>(TestConfig.pairs(more));
        keys.putIfAbsent("tp.roles", role.name().toLowerCase());
        keys.putIfAbsent("tp.topics.create", "false");
        as(user).forEach((k, v) -> keys.put("tp.kafka.client.\"" + k + "\"", v));
        return TestConfig.pool(root, work.resolve(role.name().toLowerCase()), keys);
    }

    static Pool start(PoolConfig config) throws Exception {
        return Pool.start(config, Cluster.at(secure), new SimpleMeterRegistry());
    }

    @Test
    void eachRoleAsItsOwnUserWithTheK8sAclsRunsAJob(@TempDir Path root, @TempDir Path work) throws Exception {
        TestFiles.demoRoot(root, "train", 20, "test", 10);
        try (Pool coordinator = start(role(Role.COORDINATOR, "tp-coordinator", root, work));
             Pool extractor = start(role(Role.EXTRACTOR, "tp-extractor", root, work));
             Pool trainer = start(role(Role.TRAINER, "tp-trainer", root, work));
             JobClient client = new JobClient(new KafkaClients(secure, "none", as("tp-client")))) {
            client.submit("secured", TestFiles.job("secured", "models/base.onnx", "train", "test", 2));
            JobResult r = client.await("secured", Duration.ofMinutes(3), e -> { });
            assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(40);
        }
    }

    @Test
    void aRoleWhoseUserLacksAPermissionStopsAtStartNamingIt(@TempDir Path root, @TempDir Path work) throws Exception {
        TestFiles.demoRoot(root, "train", 1, "test", 1);
        Throwable t = catchThrowable(() -> start(role(Role.TRAINER, "tp-trainer-short", root, work)).close());
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("not allowed to WRITE topic "
                + "tp.results").hasMessageNotContaining("tp.features");
        // With topic creation on, a user that may not create topics is told what to switch off (this was a crash
        // loop on the k8s cluster, where the roles' users may not even see the other roles' topics).
        Throwable creating = catchThrowable(() -> start(role(Role.EXTRACTOR, "tp-extractor", root, work,
                "tp.topics.create", "true")).close());
        assertThat(creating).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set tp.topics.create=false");
    }
}
