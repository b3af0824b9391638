package gtvision.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's OpenAPI description ({@code src/main/resources/openapi/openapi.json}) read as a test sees it:
 * its operations, and the validation of a real response against the schema documented for its operation
 * and status (JSON Schema 2020-12, OpenAPI 3.1's dialect, by networknt's validator, which resolves the
 * description's {@code $ref}s inside the same document).
 */
public final class OpenApiDescription {
  public static final String RESOURCE = "openapi/openapi.json";
  private static final String LOCATION = "classpath:" + RESOURCE;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final JsonNode document;
  private final SchemaRegistry registry = SchemaRegistry.withDialect(Dialects.getOpenApi31());
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private OpenApiDescription(JsonNode document) {
    this.document = document;
  }

  public static OpenApiDescription load() {
    try (InputStream in = OpenApiDescription.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is not on the class path");
      return new OpenApiDescription(JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode document() {
    return document;
  }

  /** A described operation: its method (upper case), path template and its node in the document. */
  public record Operation(String method, String path, JsonNode node) {
    public String key() {
      return method + " " + path;
    }
  }

  public List<Operation> operations() {
    List<Operation> out = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (String method : METHODS) {
        JsonNode op = path.getValue().get(method);
        if (op != null) out.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey(), op));
      }
    }
    return out;
  }

  /** The node at a local reference ({@code #/components/...}) or the node itself when it is none. */
  public JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    if (ref == null) return node;
    String target = ref.asText();
    if (!target.startsWith("#")) throw new IllegalStateException("not a local reference: " + target);
    JsonNode found = document.at(target.substring(1));
    if (found.isMissingNode()) throw new IllegalStateException("unresolved reference " + target);
    return found;
  }

  /**
   * Why {@code body} (of {@code contentType}) is not what the description says {@code method template}
   * answers with {@code status}: empty when it is. A status or content type the operation does not
   * document is itself a reason.
   */
  public List<String> problems(String method, String template, int status, Optional<String> contentType, String body) {
    String where = method + " " + template + " -> " + status;
    String opPointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT);
    JsonNode op = document.at(opPointer);
    if (op.isMissingNode()) return List.of(where + ": the operation is not described");
    String responsePointer = opPointer + "/responses/" + status;
    JsonNode response = document.at(responsePointer);
    if (response.isMissingNode()) {
      responsePointer = opPointer + "/responses/default";
      response = document.at(responsePointer);
    }
    if (response.isMissingNode()) return List.of(where + ": the status is not described");
    if (response.has("$ref")) {
      responsePointer = response.get("$ref").asText().substring(1);
      response = resolve(response);
    }
    JsonNode content = response.path("content");
    if (content.isMissingNode() || content.isEmpty()) {
      return body.isEmpty() ? List.of() : List.of(where + ": described without a body, answered " + abbreviate(body));
    }
    if (contentType.isEmpty()) return List.of(where + ": answered no content type, described " + names(content));
    String type = contentType.get().split(";")[0].strip().toLowerCase(Locale.ROOT);
    if (!content.has(type)) return List.of(where + ": answered " + type + ", described " + names(content));
    if (!type.equals("application/json")) return List.of();
    return problems(where, responsePointer + "/content/" + escape(type) + "/schema", body);
  }

  /** Why {@code body} is not an instance of the component schema {@code name}. */
  public List<String> problemsAgainstComponent(String name, String body) {
    return problems("schema " + name, "/components/schemas/" + name, body);
  }

  private List<String> problems(String where, String schemaPointer, String body) {
    JsonNode schemaNode = document.at(schemaPointer);
    if (schemaNode.isMissingNode()) return List.of(where + ": no schema at " + schemaPointer);
    // A schema that is only a reference is compiled at its target, where its own references resolve alike.
    String pointer = schemaNode.has("$ref") && schemaNode.size() == 1 ? schemaNode.get("$ref").asText().substring(1) : schemaPointer;
    Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(LOCATION + "#" + p)));
    List<Error> errors = schema.validate(body, InputFormat.JSON);
    return errors.stream().map(e -> where + ": " + e + " in " + abbreviate(body)).toList();
  }

  /** A JSON pointer's escape of one reference token. */
  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private static String names(JsonNode content) {
    List<String> names = new ArrayList<>();
    content.fieldNames().forEachRemaining(names::add);
    return String.join(", ", names);
  }

  private static String abbreviate(String body) {
    return body.length() > 400 ? body.substring(0, 400) + "..." : body;
  }
}
