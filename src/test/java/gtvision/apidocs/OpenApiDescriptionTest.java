package gtvision.apidocs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gtvision.auth.AccessPolicy;
import gtvision.http.Endpoints;
import gtvision.testsupport.OpenApiDescription;
import gtvision.testsupport.OpenApiDescription.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The description against the node's route list, AccessPolicy, and itself; and the validator's teeth. */
class OpenApiDescriptionTest {
  private static final OpenApiDescription API = OpenApiDescription.load();
  private static final Optional<String> JSON = Optional.of("application/json");

  @Test
  void describesEveryRouteOfTheNodeAndNoOther() {
    Set<String> served = Endpoints.ALL.stream().map(e -> e.method() + " " + e.path()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> described = API.operations().stream().map(Operation::key).collect(Collectors.toCollection(TreeSet::new));
    Set<String> undescribed = new TreeSet<>(served);
    undescribed.removeAll(described);
    Set<String> unserved = new TreeSet<>(described);
    unserved.removeAll(served);
    assertTrue(undescribed.isEmpty(), "routes missing from openapi.json: " + undescribed);
    assertTrue(unserved.isEmpty(), "described but not served (not in gtvision.http.Endpoints): " + unserved);
    assertEquals("3.1.0", API.document().get("openapi").asText());
  }

  @Test
  void anOperationIsOpenInTheDescriptionExactlyWhenAccessPolicyLetsAnyoneCallIt() {
    List<String> wrong = new ArrayList<>();
    for (Operation op : API.operations()) {
      List<String> segments = new Endpoints.Endpoint(op.method(), op.path()).segments().stream()
          .map(s -> Endpoints.isParameter(s) ? "x1" : s).toList();
      boolean open = AccessPolicy.rule(op.method(), segments).access() instanceof AccessPolicy.Open;
      JsonNode security = op.node().has("security") ? op.node().get("security") : API.document().get("security");
      boolean anonymousAllowed = security.isEmpty() || StreamSupport.stream(security.spliterator(), false).anyMatch(JsonNode::isEmpty);
      if (open != anonymousAllowed) wrong.add(op.key() + ": policy open " + open + ", description open " + anonymousAllowed);
      if (!open && !op.node().path("responses").has("401")) wrong.add(op.key() + ": no 401 described");
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void everyErrorIsTheErrorBodyAndEveryOperationDescribesOne() {
    List<String> wrong = new ArrayList<>();
    for (Operation op : API.operations()) {
      boolean anyError = false;
      var responses = op.node().get("responses").fields();
      while (responses.hasNext()) {
        var r = responses.next();
        int status = Integer.parseInt(r.getKey());
        if (status < 400) continue;
        anyError = true;
        // A node that is down still answers its health body, which says so.
        if (op.key().equals("GET /health") && status == 503) continue;
        JsonNode schema = API.resolve(r.getValue()).path("content").path("application/json").path("schema");
        if (!schema.path("$ref").asText().equals("#/components/schemas/Error")) wrong.add(op.key() + " " + status + ": not the Error body");
      }
      boolean page = op.path().equals("/") || op.path().equals("/index.html") || op.path().startsWith("/api/docs")
          || op.path().equals("/api/openapi.json") || op.path().equals("/metrics");
      if (!anyError && !page) wrong.add(op.key() + ": no error described");
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void everyReferenceResolvesAndEveryPathParameterIsDeclared() {
    List<String> wrong = new ArrayList<>();
    collectRefs(API.document(), wrong);
    for (Operation op : API.operations()) {
      Set<String> declared = new TreeSet<>();
      op.node().path("parameters").forEach(p -> {
        if (p.path("in").asText().equals("path")) declared.add(p.path("name").asText());
      });
      Set<String> inPath = new Endpoints.Endpoint(op.method(), op.path()).segments().stream().filter(Endpoints::isParameter)
          .map(s -> s.substring(1, s.length() - 1)).collect(Collectors.toCollection(TreeSet::new));
      if (!declared.equals(inPath)) wrong.add(op.key() + ": path parameters " + inPath + ", declared " + declared);
      if (!op.node().hasNonNull("operationId")) wrong.add(op.key() + ": no operationId");
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  private static void collectRefs(JsonNode node, List<String> wrong) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null) {
        try {
          API.resolve(node);
        } catch (IllegalStateException e) {
          wrong.add(e.getMessage());
        }
      }
      node.elements().forEachRemaining(child -> collectRefs(child, wrong));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> collectRefs(child, wrong));
    }
  }

  @Test
  void theValidatorRejectsBodiesThatDoNotMatchTheirSchema() {
    String error = "{\"error\": \"camera cam-x not found\", \"field\": \"id\"}";
    assertEquals(List.of(), API.problems("GET", "/api/cameras/{id}", 404, JSON, error));
    assertFalse(API.problems("GET", "/api/cameras/{id}", 404, JSON, "{\"message\": \"not found\"}").isEmpty(),
        "an error body without its required error field");
    assertFalse(API.problems("GET", "/api/cameras/{id}", 404, JSON, "{\"error\": 404}").isEmpty(), "a number for a string");
    assertFalse(API.problems("GET", "/api/cameras/{id}", 200, JSON, "{\"id\": \"cam-1\", \"name\": \"Gate\"}").isEmpty(),
        "a camera without most of its fields");
    // A reference two levels down (CameraPage -> CameraRow -> SourceKind) is checked, not skipped.
    String row = "{\"id\": \"c\", \"name\": \"c\", \"sourceUrl\": \"http://h/x\", \"sourceKind\": \"%s\", \"fps\": 1.0, \"location\": null,"
        + " \"tags\": [], \"status\": \"registered\", \"enabled\": false, \"createdAt\": \"2026-01-01T00:00:00Z\", \"updatedAt\": null}";
    String page = "{\"items\": [" + row + "], \"nextCursor\": null}";
    assertEquals(List.of(), API.problems("GET", "/api/cameras", 200, JSON, page.formatted("snapshot")));
    assertFalse(API.problems("GET", "/api/cameras", 200, JSON, page.formatted("telnet")).isEmpty(), "a source kind of no enum value");
    assertFalse(API.problems("GET", "/api/cameras", 200, JSON, "{\"items\": [], \"nextCursor\": null, \"extra\": 1}").isEmpty(),
        "a field the description does not have");
  }

  @Test
  void aStatusOrContentTypeTheOperationDoesNotDescribeIsAProblem() {
    assertFalse(API.problems("GET", "/api/cameras", 418, JSON, "{\"error\": \"x\"}").isEmpty());
    assertFalse(API.problems("GET", "/api/cameras", 200, Optional.of("text/plain"), "x").isEmpty());
    assertFalse(API.problems("PATCH", "/api/cameras", 200, JSON, "{}").isEmpty());
    assertFalse(API.problems("DELETE", "/api/cameras/{id}", 204, JSON, "{\"unexpected\": true}").isEmpty(), "204 has no body");
    assertEquals(List.of(), API.problems("DELETE", "/api/cameras/{id}", 204, Optional.empty(), ""));
  }

  @Test
  void everyComponentSchemaCompiles() {
    List<String> wrong = new ArrayList<>();
    API.document().path("components").path("schemas").fieldNames().forEachRemaining(name -> {
      try {
        API.problemsAgainstComponent(name, "null");
      } catch (RuntimeException e) {
        wrong.add(name + ": " + e);
      }
    });
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }
}
