using System.Text.Json.Serialization;

namespace HttpApp;

/// <summary>The endpoints, shaped as TechEmpower's plaintext and JSON tests, and a POST echo for request and response bodies.</summary>
internal static class Endpoints
{
    /// <summary>The 13 bytes /plaintext answers with.</summary>
    public const string Greeting = "Hello, World!";

    public static void Map(WebApplication app)
    {
        app.MapGet("/plaintext", () => TypedResults.Text(Greeting, "text/plain"));
        app.MapGet("/json", () => TypedResults.Json(new JsonGreeting(Greeting), AppJson.Default.JsonGreeting));
        app.MapPost("/echo", Echo);
    }

    // The body goes back as it arrives, with the request's length when the client gave one.
    private static async Task Echo(HttpContext context)
    {
        context.Response.ContentType = "application/octet-stream";
        if (context.Request.ContentLength is long length)
        {
            context.Response.ContentLength = length;
        }
        await context.Request.BodyReader.CopyToAsync(context.Response.BodyWriter, context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>The /json body: <c>{"message":"Hello, World!"}</c>.</summary>
internal sealed record JsonGreeting(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonGreeting))]
internal sealed partial class AppJson : JsonSerializerContext;
