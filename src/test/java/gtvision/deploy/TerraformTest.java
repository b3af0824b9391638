package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** terraform/: the AWS worker pool of cluster role aws, as the plan sizes it. */
class TerraformTest {

    private static TerraformConfig tf;

    @BeforeAll
    static void parse() {
        tf = TerraformConfig.load();
    }

    @Test
    void workerRoleMayOnlyCallRekognitionDetectLabelsAndDetectText() {
        Map<String, Map<String, Object>> roles = tf.resources("aws_iam_role");
        assertEquals(Set.of("worker"), roles.keySet(), "one IAM role");
        Map<String, Object> role = roles.get("worker");
        assertFalse(role.containsKey("managed_policy_arns") || role.containsKey("inline_policy"),
                "no policies inside the role block");
        assertTrue(tf.resources("aws_iam_role_policy_attachment").isEmpty(), "no managed policies attached");
        assertTrue(tf.resources("aws_iam_policy_attachment").isEmpty(), "no managed policies attached");

        Map<String, Map<String, Object>> policies = tf.resources("aws_iam_role_policy");
        assertEquals(1, policies.size(), "one inline policy");
        Map<String, Object> policy = policies.values().iterator().next();
        assertEquals("worker", TerraformConfig.referencedName(policy.get("role"), "aws_iam_role"));

        String document = TerraformConfig.referencedName(policy.get("policy"), "data.aws_iam_policy_document");
        Map<String, Object> doc = tf.data("aws_iam_policy_document").get(document);
        Set<String> allowed = new HashSet<>();
        for (Map<String, Object> statement : TerraformConfig.nestedBlocks(doc, "statement")) {
            assertEquals("Allow", statement.getOrDefault("effect", "Allow"));
            assertFalse(statement.containsKey("not_actions"), "NotAction would allow everything else");
            for (Object action : (List<?>) statement.get("actions")) {
                assertFalse(action.toString().contains("*"), "wildcard action " + action);
                assertTrue(allowed.add(action.toString()), "duplicate action " + action);
            }
        }
        assertEquals(Set.of("rekognition:DetectLabels", "rekognition:DetectText"), allowed);

        Map<String, Object> profile = tf.resource("aws_iam_instance_profile", "worker");
        assertEquals("worker", TerraformConfig.referencedName(profile.get("role"), "aws_iam_role"));
        Map<String, Object> template = tf.resource("aws_launch_template", "worker");
        Map<String, Object> templateProfile = TerraformConfig.nestedBlocks(template, "iam_instance_profile").get(0);
        assertEquals("worker", TerraformConfig.referencedName(templateProfile.get("arn"), "aws_iam_instance_profile"));
    }

    @Test
    void autoScalingGroupRunsTwoToTenC5XlargeWorkersFromTheLaunchTemplate() {
        Map<String, Object> asg = tf.resource("aws_autoscaling_group", "workers");
        assertEquals(2, tf.resolveInt(asg.get("min_size")));
        assertEquals(10, tf.resolveInt(asg.get("max_size")));
        Map<String, Object> template = tf.resource("aws_launch_template", "worker");
        assertEquals("c5.xlarge", tf.resolve(template.get("instance_type")));
        Map<String, Object> launch = TerraformConfig.nestedBlocks(asg, "launch_template").get(0);
        assertEquals("worker", TerraformConfig.referencedName(launch.get("id"), "aws_launch_template"));
        assertEquals("ELB", asg.get("health_check_type"), "a worker that is not /ready is replaced");
    }

    @Test
    void cpuAlarmsScaleOutAbove70AndInBelow30WithA300SecondCooldown() {
        Map<String, Map<String, Object>> alarms = tf.resources("aws_cloudwatch_metric_alarm");
        Map<String, Object> out = alarmFor(alarms, "scale_out");
        Map<String, Object> in = alarmFor(alarms, "scale_in");
        for (Map<String, Object> alarm : List.of(out, in)) {
            assertEquals("CPUUtilization", alarm.get("metric_name"));
            assertEquals("AWS/EC2", alarm.get("namespace"));
            assertEquals(Map.of("AutoScalingGroupName", "aws_autoscaling_group.workers.name"), alarm.get("dimensions"));
        }
        assertEquals(70, tf.resolveInt(out.get("threshold")));
        assertEquals("GreaterThanThreshold", out.get("comparison_operator"));
        assertEquals(30, tf.resolveInt(in.get("threshold")));
        assertEquals("LessThanThreshold", in.get("comparison_operator"));

        Map<String, Object> scaleOut = tf.resource("aws_autoscaling_policy", "scale_out");
        Map<String, Object> scaleIn = tf.resource("aws_autoscaling_policy", "scale_in");
        assertTrue(tf.resolveInt(scaleOut.get("scaling_adjustment")) > 0);
        assertTrue(tf.resolveInt(scaleIn.get("scaling_adjustment")) < 0);
        for (Map<String, Object> policy : List.of(scaleOut, scaleIn)) {
            assertEquals("SimpleScaling", policy.get("policy_type"));
            assertEquals(300, tf.resolveInt(policy.get("cooldown")));
            assertEquals("workers", TerraformConfig.referencedName(policy.get("autoscaling_group_name"), "aws_autoscaling_group"));
        }
    }

    @Test
    void rekognitionIsReachedThroughAnInterfaceVpcEndpoint() {
        Map<String, Map<String, Object>> endpoints = tf.resources("aws_vpc_endpoint");
        Map<String, Object> rekognition = endpoints.values().stream()
                .filter(e -> String.valueOf(e.get("service_name")).matches("com\\.amazonaws\\..+\\.rekognition"))
                .findFirst().orElseThrow(() -> new AssertionError("no com.amazonaws.<region>.rekognition endpoint: " + endpoints));
        assertEquals("Interface", rekognition.get("vpc_endpoint_type"));
        assertEquals(Boolean.TRUE, rekognition.get("private_dns_enabled"), "the SDK's default endpoint name resolves to it");
    }

    @Test
    void internalLoadBalancerHealthChecksTheManagementReadyPath() {
        Map<String, Object> lb = tf.resource("aws_lb", "workers");
        assertEquals(Boolean.TRUE, lb.get("internal"));
        Map<String, Object> group = tf.resource("aws_lb_target_group", "workers");
        assertEquals(DeploySettings.HTTP_PORT, tf.resolveInt(group.get("port")));
        Map<String, Object> check = TerraformConfig.nestedBlocks(group, "health_check").get(0);
        assertEquals(DeploySettings.READY_PATH, check.get("path"));
        assertEquals("HTTP", check.get("protocol"));
        assertEquals(DeploySettings.MANAGEMENT_PORT, tf.resolveInt(check.get("port")));
        assertEquals(DeploySettings.REMOTING_PORT, tf.resolveInt("var.remoting_port"));
        assertEquals(DeploySettings.MANAGEMENT_PORT, tf.resolveInt("var.management_port"));
        assertEquals(DeploySettings.HTTP_PORT, tf.resolveInt("var.http_port"));
    }

    @Test
    void billingAlarmWatchesEstimatedChargesInUsEast1() {
        Map<String, Object> alarm = tf.resources("aws_cloudwatch_metric_alarm").values().stream()
                .filter(a -> "EstimatedCharges".equals(a.get("metric_name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no EstimatedCharges alarm"));
        assertEquals("AWS/Billing", alarm.get("namespace"));
        assertEquals(Map.of("Currency", "USD"), alarm.get("dimensions"));
        String alias = String.valueOf(alarm.get("provider")).replace("aws.", "");
        Map<String, Object> provider = tf.providers("aws").stream()
                .filter(p -> alias.equals(p.get("alias"))).findFirst()
                .orElseThrow(() -> new AssertionError("no aws provider alias " + alias));
        assertEquals("us-east-1", provider.get("region"), "billing metrics exist only in us-east-1");
    }

    @Test
    void everyVariableAndOutputHasADescription() {
        for (String kind : List.of("variable", "output")) {
            Map<String, Map<String, Object>> blocks = tf.section(kind);
            assertFalse(blocks.isEmpty(), "no " + kind + " blocks");
            blocks.forEach((name, block) -> assertFalse(String.valueOf(block.getOrDefault("description", "")).isBlank(),
                    kind + " " + name + " has no description"));
        }
    }

    private static Map<String, Object> alarmFor(Map<String, Map<String, Object>> alarms, String policy) {
        String action = "aws_autoscaling_policy." + policy + ".arn";
        return alarms.values().stream()
                .filter(a -> a.get("alarm_actions") instanceof List<?> actions && actions.contains(action))
                .findFirst().orElseThrow(() -> new AssertionError("no alarm triggers " + action));
    }
}
