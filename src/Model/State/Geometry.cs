namespace ModelCheck.Model.State;

/// <summary>
/// Sizes of the modelled file. Everything is counted in units (the gcd of all byte sizes a
/// scenario uses), blocks (the file system block) and folios (page-cache folios).
/// </summary>
public sealed record Geometry(int UnitBytes, int UnitsPerBlock, int BlocksPerFolio, int Folios)
{
    public int UnitsPerFolio => UnitsPerBlock * BlocksPerFolio;

    /// <summary>PAGE_SIZE (4 KiB, or the folio when folios are smaller) in units: PTEs and faults are per page.</summary>
    public int UnitsPerPage => Math.Max(1, Math.Min(UnitsPerFolio, 4096 / UnitBytes));

    public int BlockBytes => UnitsPerBlock * UnitBytes;

    /// <summary>Bit of a unit's page inside its folio.</summary>
    public int PageBit(int unit) => 1 << ((unit % UnitsPerFolio) / UnitsPerPage);
    public int Blocks => BlocksPerFolio * Folios;
    public int Units => UnitsPerFolio * Folios;

    public int BlockOfUnit(int unit) => unit / UnitsPerBlock;
    public int FolioOfUnit(int unit) => unit / UnitsPerFolio;
    public int FolioOfBlock(int block) => block / BlocksPerFolio;
    public int FirstBlockOfFolio(int folio) => folio * BlocksPerFolio;
    public int FirstUnitOfBlock(int block) => block * UnitsPerBlock;
    public int FirstUnitOfFolio(int folio) => folio * UnitsPerFolio;

    /// <summary>Bit of a block inside its folio's per-block masks.</summary>
    public int BlockBit(int block) => 1 << (block % BlocksPerFolio);

    public int AllBlocksMask => (1 << BlocksPerFolio) - 1;

    public string Bytes(int units)
    {
        long b = (long)units * UnitBytes;
        if (b != 0 && b % (1024 * 1024) == 0) return (b / (1024 * 1024)) + "M";
        if (b != 0 && b % 1024 == 0) return (b / 1024) + "K";
        return b.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
