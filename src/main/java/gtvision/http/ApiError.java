package gtvision.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every error the API answers: a message and, for bad input, the field at fault. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String field) {
  public static ApiError of(String error) {
    return new ApiError(error, null);
  }
}
