from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this computer")
    submit = SubmitField("Sign in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=200)],
        description="At least 8 characters, and not one of the most common passwords.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "The new password again",
        validators=[DataRequired(), EqualTo("password", "The two passwords are not the same.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set the new password")
