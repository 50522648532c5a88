# Vietnamese dates are day first: 01/07/2025 is 1 July. Django's own vi
# locale sets no input formats, which would fall back to month first.
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
# Money reads 150.000 ₫: group thousands (Django's vi locale sets the separator but no grouping).
NUMBER_GROUPING = 3
