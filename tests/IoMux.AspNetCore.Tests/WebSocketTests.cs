using System.Net.WebSockets;
using System.Security.Cryptography;

namespace IoMux.AspNetCore.Tests;

public sealed class WebSocketTests
{
    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task MessagesAreEchoed(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web =>
        {
            web.UseWebSockets();
            web.Map("/ws", async (HttpContext context) =>
            {
                using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
                byte[] buffer = new byte[256 * 1024];
                while (true)
                {
                    int length = 0;
                    ValueWebSocketReceiveResult received;
                    do
                    {
                        received = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                        length += received.Count;
                    }
                    while (!received.EndOfMessage);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        return;
                    }
                    await socket.SendAsync(buffer.AsMemory(0, length), received.MessageType, endOfMessage: true, CancellationToken.None);
                }
            });
        });
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{app.Address.Port}/ws"), CancellationToken.None);
        foreach (byte[] message in new[] { "hello"u8.ToArray(), RandomNumberGenerator.GetBytes(100 * 1024), "x"u8.ToArray() })
        {
            await client.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
            byte[] echo = new byte[message.Length + 1];
            int length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await client.ReceiveAsync(echo.AsMemory(length), CancellationToken.None);
                length += received.Count;
            }
            while (!received.EndOfMessage);
            Assert.Equal(message, echo[..length]);
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, client.State);
    }
}
