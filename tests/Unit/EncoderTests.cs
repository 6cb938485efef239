using ModelCheck.Model.State;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// The byte encoding the fingerprint set keys on (<see cref="Encoder"/>): little-endian shorts and
/// ints, small values in one byte with an escape, buffers that grow at any size; and the inode's
/// locks and flags, each of which must change the encoding.
/// </summary>
public class EncoderTests
{
    private delegate void Write(ref Encoder e);

    private static byte[] Encode(int initialSize, Write write)
    {
        var e = new Encoder(new byte[initialSize]);
        write(ref e);
        return e.Written.ToArray();
    }

    [Fact]
    public void ShortsAndIntsAreLittleEndian()
    {
        Assert.Equal([0x34, 0x12], Encode(8, (ref Encoder e) => e.Short(0x1234)));
        Assert.Equal([0x78, 0x56, 0x34, 0x12], Encode(8, (ref Encoder e) => e.Int(0x12345678)));
        Assert.Equal([0xff, 0xff, 0xff, 0xff], Encode(8, (ref Encoder e) => e.Int(-1)));
        Assert.Equal([0x00, 0x00, 0x00, 0x80], Encode(8, (ref Encoder e) => e.Int(int.MinValue)));
    }

    [Theory]
    [InlineData(0, new byte[] { 0 })]
    [InlineData(254, new byte[] { 254 })]
    [InlineData(255, new byte[] { 255, 255, 0 })]
    [InlineData(0x1234, new byte[] { 255, 0x34, 0x12 })]
    [InlineData(-1, new byte[] { 255, 0xff, 0xff })]
    public void ASmallValueIsOneByteBelowTheEscapeAndThreeFromIt(int v, byte[] expected)
    {
        Assert.Equal(expected, Encode(1, (ref Encoder e) => e.Small(v)));
        Assert.Equal(expected, Encode(1, (ref Encoder e) => e.Smalls(new[] { v })));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void TheBufferGrowsWhateverItsFirstSize(int initialSize)
    {
        int[] values = [1, 300, 254, 255, 0x7fff, 0];
        var expected = new List<byte>();
        foreach (int v in values) expected.AddRange(v < 255 ? [(byte)v] : [255, (byte)v, (byte)(v >> 8)]);
        byte[] bytes = [.. Enumerable.Range(0, 40).Select(k => (byte)k)];
        var all = Encode(initialSize, (ref Encoder e) =>
        {
            e.Byte(9);
            e.Short(0x0102);
            e.Smalls(values);
            e.Bytes(bytes);
            e.Int(0x0a0b0c0d);
            e.Bool(true);
            e.Bytes(bytes);
        });
        Assert.Equal([9, 0x02, 0x01, .. expected, .. bytes, 0x0d, 0x0c, 0x0b, 0x0a, 1, .. bytes], all);
        // each write alone, at the edge of a buffer of exactly the bytes before it
        Assert.Equal([7, 0x02, 0x01], Encode(1, (ref Encoder e) => { e.Byte(7); e.Short(0x0102); }));
        Assert.Equal([7, 0x04, 0x03, 0x02, 0x01], Encode(3, (ref Encoder e) => { e.Byte(7); e.Int(0x01020304); }));
        Assert.Equal([7, 255, 0x2c, 0x01, 5], Encode(2, (ref Encoder e) => { e.Byte(7); e.Smalls(new[] { 300, 5 }); }));
        Assert.Equal([7, .. bytes], Encode(2, (ref Encoder e) => { e.Byte(7); e.Bytes(bytes); }));
    }

    [Fact]
    public void AnRwSemKnowsItsHoldersAndSaysWhoTheyAre()
    {
        var sem = RwSem.Free;
        Assert.Equal("free", sem.Describe());
        Assert.True(sem.CanWrite && sem.CanRead);
        sem.LockShared(3);
        sem.LockShared(3);
        sem.LockShared(1);
        Assert.Equal("shared(a)", sem.Describe());
        Assert.True(sem.HeldBy(3) && sem.HeldBy(1));
        Assert.False(sem.HeldBy(0) || sem.HeldBy(2) || sem.HeldBy(4));
        Assert.False(sem.CanWrite);
        Assert.True(sem.CanRead);
        sem.Unlock(3);
        sem.Unlock(1);
        Assert.True(sem.CanWrite);
        sem.Lock(2);
        Assert.Equal("excl(T2)", sem.Describe());
        Assert.True(sem.HeldBy(2));
        Assert.False(sem.HeldBy(1) || sem.CanRead);
        sem.Lock(0);
        Assert.Equal("excl(T0)", sem.Describe());
    }

    public static TheoryData<string> InodeFields() =>
    [
        "ISize", "IDiskSize", "IRwsem", "InvalidateLock", "DioCount", "StableWrites", "StableCount", "DeviceStable",
        "WritebackMayDeadlock", "DioDoneWq", "WbErr", "AsEio", "IoErrors", "PrivateLock", "ReadErrors",
    ];

    private static byte[] Of(Inode i) => Encode(4, (ref Encoder e) => i.Encode(ref e));

    private static readonly Inode Plain = new() { IRwsem = RwSem.Free, InvalidateLock = RwSem.Free };

    [Fact]
    public void TheInodeFlagsSharingAByteAreToldApart()
    {
        var seen = new HashSet<string>();
        foreach (var (name, inode) in new[]
        {
            ("none", Plain), ("AsEio", Plain with { AsEio = true }), ("IoErrors 1", Plain with { IoErrors = 1 }),
            ("IoErrors 2", Plain with { IoErrors = 2 }), ("AsEio and IoErrors 1", Plain with { AsEio = true, IoErrors = 1 }),
            ("StableWrites", Plain with { StableWrites = true }), ("WritebackMayDeadlock", Plain with { WritebackMayDeadlock = true }),
            ("DioDoneWq", Plain with { DioDoneWq = true }), ("DeviceStable", Plain with { DeviceStable = true }),
        })
            Assert.True(seen.Add(Convert.ToHexString(Of(inode))), name);
    }

    [Theory]
    [MemberData(nameof(InodeFields))]
    public void EveryInodeFieldChangesTheEncoding(string field)
    {
        var changed = Plain;
        switch (field)
        {
            case "ISize": changed.ISize = 1; break;
            case "IDiskSize": changed.IDiskSize = 1; break;
            case "IRwsem": changed.IRwsem.LockShared(0); break;
            case "InvalidateLock": changed.InvalidateLock.Lock(0); break;
            case "DioCount": changed.DioCount = 1; break;
            case "StableWrites": changed.StableWrites = true; break;
            case "StableCount": changed.StableCount = 1; break;
            case "DeviceStable": changed.DeviceStable = true; break;
            case "WritebackMayDeadlock": changed.WritebackMayDeadlock = true; break;
            case "DioDoneWq": changed.DioDoneWq = true; break;
            case "WbErr": changed.WbErr = 1; break;
            case "AsEio": changed.AsEio = true; break;
            case "IoErrors": changed.IoErrors = 1; break;
            case "PrivateLock": changed.PrivateLock = 1; break;
            case "ReadErrors": changed.ReadErrors = 1; break;
            default: throw new ArgumentException(field);
        }
        Assert.NotEqual(Of(Plain), Of(changed));
    }
}
