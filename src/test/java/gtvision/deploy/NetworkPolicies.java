package gtvision.deploy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' ingress semantics for NetworkPolicies, applied to the policies of one namespace: a pod
 * that no policy selects accepts everything; a selected pod accepts a connection if any rule of any
 * policy that selects it admits the source and the port.
 */
final class NetworkPolicies {

    /** A pod: its labels and the labels of its namespace. */
    record Pod(String namespace, Map<String, String> labels, Map<String, String> namespaceLabels) {
        static Pod in(String namespace, Map<String, String> labels) {
            return new Pod(namespace, labels, Map.of("kubernetes.io/metadata.name", namespace));
        }
    }

    private final String namespace;
    private final List<NetworkPolicy> policies;

    NetworkPolicies(String namespace, List<NetworkPolicy> policies) {
        this.namespace = namespace;
        this.policies = policies;
    }

    /** Whether {@code source} may open a connection to {@code target} (a pod of this namespace) on the port. */
    boolean allows(Pod source, Map<String, String> target, String protocol, int port) {
        List<NetworkPolicy> selecting = policies.stream()
                .filter(p -> p.getSpec().getPolicyTypes() == null || p.getSpec().getPolicyTypes().contains("Ingress"))
                .filter(p -> matches(p.getSpec().getPodSelector(), target))
                .toList();
        if (selecting.isEmpty()) {
            return true;
        }
        for (NetworkPolicy policy : selecting) {
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                if (admitsSource(rule.getFrom(), source) && admitsPort(rule.getPorts(), protocol, port)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean admitsSource(List<NetworkPolicyPeer> from, Pod source) {
        if (from == null || from.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer peer : from) {
            if (peer.getIpBlock() != null) {
                continue; // pod-to-pod checks only; the ipBlocks used are for outside workers
            }
            boolean namespaceOk = peer.getNamespaceSelector() == null
                    ? source.namespace().equals(namespace)
                    : matches(peer.getNamespaceSelector(), source.namespaceLabels());
            boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), source.labels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean admitsPort(List<NetworkPolicyPort> ports, String protocol, int port) {
        if (ports == null || ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort p : ports) {
            String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
            if (p.getPort() != null && p.getPort().getIntVal() == null) {
                throw new AssertionError("named ports in a NetworkPolicy: use numbers, which the tests compare with the containers");
            }
            boolean inRange = p.getPort() == null || (p.getEndPort() == null ? p.getPort().getIntVal() == port
                    : port >= p.getPort().getIntVal() && port <= p.getEndPort());
            if (proto.equals(protocol) && inRange) {
                return true;
            }
        }
        return false;
    }

    /** A label selector as Kubernetes reads it: an empty one selects everything. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && r.getValues().contains(value);
                    case "NotIn" -> value == null || !r.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> throw new AssertionError("unknown selector operator " + r.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
